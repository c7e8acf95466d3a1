import { db } from "../../db";
import { accessFor, createOwnedDatabase, dropDatabase } from "../../db-pool/manager";
import { logger } from "../../logger";
import { loadDump } from "./load-backup";
import { verifiedArchive } from "./verified-archive";
import { withTenantClient } from "../../db-pool/tenant-client";
import { tenantConnection } from "../instances/tenant-connection";

const log = logger.child({ component: "verify-backups" });
const DEFAULT_SAMPLE = 5;

/**
 * Restores one backup into a scratch database next to the instance's own (owned by the same
 * role, so no other tenant can see it), checks that Odoo's module table came back with installed
 * modules, and drops the scratch database. Records the outcome on the backup.
 */
export async function testRestore(backupId: string): Promise<{ ok: boolean; error: string | null }> {
  const backup = await db.backup.findUniqueOrThrow({ where: { id: backupId }, include: { instance: { include: { dbServer: true } } } });
  const instance = backup.instance;
  const access = accessFor(instance.dbServer!);
  const scratch = `${instance.dbName}_verify`;
  let error: string | null = null;
  let archive: Awaited<ReturnType<typeof verifiedArchive>> | null = null;
  try {
    archive = await verifiedArchive(backup.id);
    await dropDatabase(access, scratch);
    await createOwnedDatabase(access, { dbName: scratch, roleName: instance.dbUser! });
    const tenant = await tenantConnection(instance.id, scratch);
    await loadDump(archive.path, tenant);
    const installed = await withTenantClient(tenant, async (client) => {
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM ir_module_module WHERE state = 'installed'");
      return rows[0]?.n ?? 0;
    });
    if (installed === 0) error = "the restored database has no installed modules";
  } catch (failure) {
    error = ((failure as Error).message ?? String(failure)).slice(0, 500);
  } finally {
    await archive?.cleanup();
    await dropDatabase(access, scratch).catch((dropError: unknown) => log.warn({ err: dropError, scratch }, "scratch database left behind"));
  }
  await db.backup.update({ where: { id: backup.id }, data: { restoreTestedAt: new Date(), restoreTestError: error } });
  return { ok: error === null, error };
}

/**
 * The weekly check: the newest successful backup of a random sample of live instances is
 * restored into a scratch database. A failure is logged as an error (alerting picks it up) and
 * shown on the backup, so a backup that cannot be restored is found before anyone needs it.
 */
export async function verifyBackups(options: { sample?: number } = {}): Promise<{ checked: number; failed: string[] }> {
  const candidates = await db.instance.findMany({
    where: { status: { notIn: ["DELETED", "DELETING", "PROVISIONING", "PENDING_PAYMENT"] }, backups: { some: { status: "SUCCEEDED" } } },
    select: { id: true },
  });
  const sample = candidates.sort(() => Math.random() - 0.5).slice(0, options.sample ?? DEFAULT_SAMPLE);
  const failed: string[] = [];
  for (const { id } of sample) {
    const newest = await db.backup.findFirst({ where: { instanceId: id, status: "SUCCEEDED" }, orderBy: { createdAt: "desc" } });
    if (!newest) continue;
    const result = await testRestore(newest.id);
    if (!result.ok) {
      failed.push(newest.id);
      log.error({ backupId: newest.id, instanceId: id, reason: result.error }, "a backup failed its restore test");
    }
  }
  log.info({ checked: sample.length, failed: failed.length }, "backup restore tests done");
  return { checked: sample.length, failed };
}
