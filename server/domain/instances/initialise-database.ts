import { withTenantClient } from "../../db-pool/tenant-client";
import { env } from "../../env";
import { logger } from "../../logger";
import { containerRuntime } from "../../runtime";
import { desiredInitSpec } from "./desired-container-spec";
import type { TenantDatabase } from "./prepare-database";
import { tenantConnection } from "./tenant-connection";

type InitInstance = Parameters<typeof desiredInitSpec>[0];

/** The modules the initialisation installs: base and the instance's addons. */
const requestedModules = (instance: { customAddons: string[] }) => [...new Set(["base", ...instance.customAddons])];

/**
 * Whether every requested module is installed in the instance's database (Odoo's own record).
 * Odoo commits base before the rest of `-i base,addons`: base alone is not "initialised".
 */
export async function databaseInitialised(instanceId: string, modules: string[] = ["base"]): Promise<boolean> {
  return withTenantClient(await tenantConnection(instanceId), async (client) => {
    const table = await client.query<{ present: boolean }>("SELECT to_regclass('public.ir_module_module') IS NOT NULL AS present");
    if (!table.rows[0]?.present) return false;
    const installed = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ir_module_module WHERE name = ANY($1::text[]) AND state = 'installed'",
      [modules],
    );
    return installed.rows[0]!.n === modules.length;
  });
}

/** The line of Odoo's log that says why it failed (its last ERROR or CRITICAL line), if any. */
function failureLine(logs: string[]): string | undefined {
  return [...logs].reverse().find((line) => / (ERROR|CRITICAL) /.test(line))?.slice(0, 300);
}

/**
 * Initialises a new instance's database in a one-shot container (`-i base[,addons]`, the demo
 * choice, `--stop-after-init`) before the serving container ever starts, so the instance is
 * reachable only once Odoo's install has committed. Safe to re-run: an initialised database is
 * left alone; an install a crash interrupted is run again (the leftover container is replaced,
 * and Odoo's `-i` completes what a previous run did not commit).
 */
export async function initialiseDatabase(instance: InitInstance, database: TenantDatabase): Promise<"initialised" | "already"> {
  const modules = requestedModules(instance);
  if (await databaseInitialised(instance.id, modules)) return "already";
  const spec = desiredInitSpec(instance, database);
  const timeoutSeconds = env().INIT_TIMEOUT_SECONDS;
  const started = Date.now();
  const result = await containerRuntime().runToCompletion(spec, { timeoutSeconds });
  if (result.timedOut) throw new Error(`Initialising the database took longer than ${timeoutSeconds} s and was stopped`);
  if (result.exitCode !== 0) {
    const why = failureLine(result.logs)?.replaceAll(database.password, "[redacted]");
    throw new Error(`Initialising the database failed (exit code ${result.exitCode ?? "unknown"})${why ? `: ${why}` : ""}`);
  }
  if (!(await databaseInitialised(instance.id, modules))) {
    throw new Error(`Odoo exited without installing ${modules.join(", ")} in the database`);
  }
  logger.info({ instanceId: instance.id, durationMs: Date.now() - started }, "database initialised");
  return "initialised";
}
