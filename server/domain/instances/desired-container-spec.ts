import { env } from "../../env";
import { buildOdooContainerSpec, buildOdooInitSpec } from "./odoo-container-spec";
import type { TenantDatabase } from "./prepare-database";

type SpecInstance = {
  id: string;
  odooVersion: string;
  subdomain: string | null;
  demoData: boolean;
  customAddons: string[];
  envVars: unknown;
  cpuLimit: number;
  memoryMb: number;
};

const specInstance = (instance: SpecInstance) => ({
  id: instance.id,
  odooVersion: instance.odooVersion,
  subdomain: instance.subdomain ?? instance.id,
  demoData: instance.demoData,
  customAddons: instance.customAddons,
  envVars: (instance.envVars ?? {}) as Record<string, string>,
  cpuLimit: instance.cpuLimit,
  memoryMb: instance.memoryMb,
});

/**
 * The one-shot container that initialises the instance's database (initialise-database.ts).
 * A language other than Odoo's built-in en_US is loaded by the same install.
 */
export function desiredInitSpec(instance: SpecInstance & { odooLang?: string }, database: TenantDatabase) {
  return buildOdooInitSpec({ instance: specInstance(instance), database, image: env().ODOO_IMAGE, loadLanguage: instance.odooLang });
}

/** The container an instance should have now, from its row and the platform's settings. */
export function desiredContainerSpec(instance: SpecInstance, database: TenantDatabase) {
  const config = env();
  return buildOdooContainerSpec({
    instance: specInstance(instance),
    database,
    image: config.ODOO_IMAGE,
    // Never `-i`: the database is initialised beforehand by a one-shot container (or loaded
    // from a backup), so a crash-restart of this container can never re-run an install.
    firstBoot: false,
    routing:
      config.ROUTING === "traefik"
        ? {
            kind: "traefik",
            network: config.TRAEFIK_NETWORK,
            baseDomain: config.BASE_DOMAIN!,
            entrypoint: config.TRAEFIK_ENTRYPOINT,
            certResolver: config.TRAEFIK_CERT_RESOLVER,
          }
        : { kind: "ports" },
  });
}
