import { db } from "../../db";
import { logger } from "../../logger";
import { platformMetrics } from "../../metrics/registry";
import { containerRuntime } from "../../runtime";
import { backupStorages } from "../../storage";
import type { BackupStorage } from "../../storage/backup-storage";
import { ODOO_DATA_DIR, odooContainerName } from "../instances/odoo-container-spec";
import { recordInstanceEvent } from "../instances/transition-status";
import { buildManifest, createOdooArchive, readOdooArchive } from "../../archive/odoo-archive";
import { hashingPassThrough, sha256Of } from "../../archive/hashing";
import { pgDumpStream } from "../../archive/pg-tools";
import { tenantConnection } from "../instances/tenant-connection";

const log = logger.child({ component: "backups" });

export const backupKey = (instanceId: string, backupId: string) => `${instanceId}/${backupId}.zip`;

/**
 * Re-reads a stored archive and checks it: same size and SHA-256 as recorded, a readable zip
 * whose manifest parses and names Odoo's dump format, and a non-empty dump.sql.
 * Returns the problem in words, or null when it is sound.
 */
export async function verifyStoredArchive(
  storage: BackupStorage,
  key: string,
  expected: { sha256: string; sizeBytes: number },
): Promise<string | null> {
  const actual = await sha256Of(await storage.get(key));
  if (actual.sizeBytes !== expected.sizeBytes) return `the stored archive has ${actual.sizeBytes} bytes, ${expected.sizeBytes} were written`;
  if (actual.sha256 !== expected.sha256) return "the stored archive's checksum does not match";
  const file = storage.localPath(key);
  if (!file) return null; // remote copies are checked by checksum only
  let dumpBytes = -1;
  let manifest: { odoo_dump?: unknown } | null = null;
  try {
    await readOdooArchive(file, async (entry, open) => {
      if (entry.name === "dump.sql") dumpBytes = entry.size;
      if (entry.name === "manifest.json") {
        const chunks: Buffer[] = [];
        for await (const chunk of await open()) chunks.push(chunk as Buffer);
        manifest = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { odoo_dump?: unknown };
      }
    });
  } catch (error) {
    return `the archive is not a readable zip: ${(error as Error).message}`;
  }
  if (dumpBytes <= 0) return "the archive holds no database dump";
  if (!manifest || (manifest as { odoo_dump?: unknown }).odoo_dump !== "1") return "the archive has no valid manifest.json";
  return null;
}

/** Short, customer-readable reason; never a password (pg_dump's stderr is already scrubbed). */
function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/**
 * Runs one backup: pg_dump -> zip (with the filestore read through the engine and Odoo's
 * manifest) -> SHA-256 -> every configured storage, in one streaming pass for the primary
 * storage; other storages get a copy of the stored archive. The instance keeps running.
 * SUCCEEDED only after the stored archive was re-read and checked. Idempotent: a finished
 * backup is left alone, a rerun after a crash starts the archive again from scratch.
 */
export async function runBackup(backupId: string): Promise<{ status: string }> {
  const backup = await db.backup.findUnique({ where: { id: backupId }, include: { instance: true } });
  if (!backup || backup.status === "SUCCEEDED" || backup.status === "FAILED") return { status: backup?.status ?? "MISSING" };
  await db.backup.update({ where: { id: backupId }, data: { status: "RUNNING", startedAt: new Date() } });
  const instance = backup.instance;
  const key = backupKey(instance.id, backup.id);
  const [primary, ...others] = backupStorages();
  const started = Date.now();
  try {
    const tenant = await tenantConnection(instance.id);
    const dbName = instance.dbName!;
    const container = odooContainerName(instance.id);
    const archive = createOdooArchive({
      dump: pgDumpStream(tenant),
      filestoreTar: () => containerRuntime().readArchive(container, `${ODOO_DATA_DIR}/filestore/${dbName}`),
      manifest: () => buildManifest(tenant, instance.odooVersion, dbName),
    });
    const measure = hashingPassThrough();
    archive.on("error", (error) => measure.stream.destroy(error));
    await db.backupCopy.upsert({
      where: { backupId_storage: { backupId, storage: primary!.name } },
      create: { backupId, storage: primary!.name, key },
      update: { status: "PENDING", error: null, key },
    });
    await primary!.put(key, archive.pipe(measure.stream));
    const written = measure.result();
    const problem = await verifyStoredArchive(primary!, key, written);
    if (problem) throw new Error(`verification failed: ${problem}`);
    await db.backupCopy.update({
      where: { backupId_storage: { backupId, storage: primary!.name } },
      data: { status: "STORED", storedAt: new Date() },
    });
    await db.backup.update({
      where: { id: backupId },
      data: { sizeBytes: BigInt(written.sizeBytes), sha256: written.sha256, verifiedAt: new Date() },
    });
    for (const storage of others) await copyToStorage(backupId, key, primary!, storage, written);
    await db.backup.update({ where: { id: backupId }, data: { status: "SUCCEEDED", finishedAt: new Date() } });
    platformMetrics().backupDuration.observe((Date.now() - started) / 1000);
    platformMetrics().backupSize.observe(written.sizeBytes);
    await recordInstanceEvent(instance.id, "STEP", `Backup finished (${(written.sizeBytes / 1e6).toFixed(1)} MB)`, "system:backups");
    log.info({ backupId, instanceId: instance.id, sizeBytes: written.sizeBytes }, "backup succeeded");
    return { status: "SUCCEEDED" };
  } catch (error) {
    const reason = reasonOf(error);
    platformMetrics().backupFailures.inc();
    await primary!.delete(key).catch(() => undefined);
    await db.backupCopy.updateMany({ where: { backupId, storage: primary!.name }, data: { status: "FAILED", error: reason } });
    await db.backup.update({ where: { id: backupId }, data: { status: "FAILED", failureReason: reason, finishedAt: new Date() } });
    await recordInstanceEvent(instance.id, "ERROR", `Backup failed: ${reason}`, "system:backups");
    log.error({ backupId, instanceId: instance.id, err: error }, "backup failed");
    return { status: "FAILED" };
  }
}

/** A further copy (e.g. S3) of the stored archive; its failure is recorded on that copy only. */
async function copyToStorage(
  backupId: string,
  key: string,
  from: BackupStorage,
  to: BackupStorage,
  expected: { sha256: string; sizeBytes: number },
): Promise<void> {
  await db.backupCopy.upsert({
    where: { backupId_storage: { backupId, storage: to.name } },
    create: { backupId, storage: to.name, key },
    update: { status: "PENDING", error: null },
  });
  try {
    await to.put(key, await from.get(key));
    const problem = await verifyStoredArchive(to, key, expected);
    if (problem) throw new Error(problem);
    await db.backupCopy.update({ where: { backupId_storage: { backupId, storage: to.name } }, data: { status: "STORED", storedAt: new Date() } });
  } catch (error) {
    await db.backupCopy.update({
      where: { backupId_storage: { backupId, storage: to.name } },
      data: { status: "FAILED", error: reasonOf(error) },
    });
    log.error({ backupId, storage: to.name, err: error }, "backup copy failed");
  }
}
