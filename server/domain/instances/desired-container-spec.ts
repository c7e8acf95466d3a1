import { env } from "../../env";
import { buildOdooContainerSpec } from "./odoo-container-spec";
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
  initializedAt: Date | null;
  restoreFromBackupId?: string | null;
};

/** The container an instance should have now, from its row and the platform's settings. */
export function desiredContainerSpec(instance: SpecInstance, database: TenantDatabase) {
  const config = env();
  return buildOdooContainerSpec({
    instance: {
      id: instance.id,
      odooVersion: instance.odooVersion,
      subdomain: instance.subdomain ?? instance.id,
      demoData: instance.demoData,
      customAddons: instance.customAddons,
      envVars: (instance.envVars ?? {}) as Record<string, string>,
      cpuLimit: instance.cpuLimit,
      memoryMb: instance.memoryMb,
    },
    database,
    image: config.ODOO_IMAGE,
    // `-i base` only until Odoo has answered healthy once; later containers just start. An
    // instance restored from a backup gets a database that is initialised already.
    firstBoot: !instance.initializedAt && !instance.restoreFromBackupId,
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
