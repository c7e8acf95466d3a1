import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { accessFor, createOwnedDatabase, dropDatabase, existingDatabases, renameDatabase } from "../../db-pool/manager";
import { env } from "../../env";
import { AppError } from "../../errors";
import { logger } from "../../logger";
import { enqueueRestore } from "../../queue/queues";
import { containerRuntime } from "../../runtime";
import { ODOO_DATA_DIR, odooContainerName } from "../../../worker/runtime/odoo-spec";
import { createInstance } from "../instances/create-instance";
import { ZSubdomain } from "../instances/schemas";
import { actorLabel, recordInstanceEvent, transitionStatus } from "../instances/transition-status";
import { waitUntilHealthy } from "../instances/wait-until-healthy";
import { RESTORABLE_IN_PLACE } from "./backup-rules";
import { archiveLocation, ownedBackup } from "./manage-backups";
import { psqlRestore, readOdooArchive, tarPacker, tarTopOwner, type TenantConnection } from "./odoo-archive";
import { hashingPassThrough, runBackup, sha256Of } from "./run-backup";
import { tenantConnection, withTenantClient } from "./tenant-connection";

const log = logger.child({ component: "restore" });
const ACTOR = "system:restore";
const STOP_TIMEOUT_SECONDS = 30;

export const ZRestoreInput = z.discriminatedUnion("target", [
  z.object({
    backupId: z.string().min(1).max(64),
    target: z.literal("new"),
    name: z.string().trim().min(1, { message: "Give the new instance a name" }).max(64, { message: "At most 64 characters" }),
    subdomain: ZSubdomain,
  }),
  z.object({
    backupId: z.string().min(1).max(64),
    target: z.literal("in-place"),
    /** The instance's subdomain, typed by the customer to confirm they mean to overwrite it. */
    confirmSubdomain: z.string().trim().max(64),
  }),
]);

/** A restore that must not go ahead; the message says why in the customer's words. */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefused";
  }
}


/**
 * Starts a restore. Into a new instance (the default in the UI): a new instance of the same
 * owner, plan and series is provisioned from the backup instead of `-i base`; the source is not
 * touched. In place: after the customer typed the subdomain, the instance moves to RESTORING
 * and the restore job takes over.
 */
export async function requestRestore(actor: UserActor, input: unknown) {
  const data = ZRestoreInput.parse(input);
  const backup = await ownedBackup(actor, data.backupId);
  if (backup.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", "Only a finished backup can be restored.");
  const source = await db.instance.findUniqueOrThrow({ where: { id: backup.instanceId } });

  if (data.target === "new") {
    const instance = await createInstance(
      actor,
      { name: data.name, subdomain: data.subdomain, odooVersion: backup.odooSeries, planId: source.planId, envVars: source.envVars ?? {} },
      { restoreFromBackupId: backup.id },
    );
    const restore = await db.backupRestore.create({
      data: { backupId: backup.id, targetInstanceId: instance.id, inPlace: false, status: "RUNNING", requestedBy: actorLabel(actor) },
    });
    await recordAudit({ actor, action: "backup.restore", targetType: "backup", targetId: backup.id, details: { into: instance.id } });
    return { restoreId: restore.id, instanceId: instance.id };
  }

  if (data.confirmSubdomain !== source.subdomain) {
    throw new AppError("VALIDATION", "Type the instance's subdomain to confirm.", {
      confirmSubdomain: [`Type ${source.subdomain} to confirm that its current data is replaced`],
    });
  }
  if (!RESTORABLE_IN_PLACE.includes(source.status)) {
    throw new AppError("INVALID_STATE", `Cannot restore an instance that is ${source.status.toLowerCase().replace("_", " ")}.`);
  }
  const restore = await db.backupRestore.create({
    data: { backupId: backup.id, targetInstanceId: source.id, inPlace: true, previousStatus: source.status, requestedBy: actorLabel(actor) },
  });
  const moved = await transitionStatus(source.id, {
    to: "RESTORING",
    from: RESTORABLE_IN_PLACE,
    message: `Restoring the backup of ${backup.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    actor: actorLabel(actor),
  });
  if (!moved) {
    await db.backupRestore.delete({ where: { id: restore.id } });
    throw new AppError("INVALID_STATE", "The instance changed meanwhile; reload and try again.");
  }
  await enqueueRestore(restore.id);
  await recordAudit({ actor, action: "backup.restore", targetType: "backup", targetId: backup.id, details: { into: source.id, inPlace: true } });
  return { restoreId: restore.id, instanceId: source.id };
}

/**
 * The archive as a local file, after checking it against the size and SHA-256 recorded when it
 * was made: a tampered or truncated archive is refused before anything is touched. A backup
 * kept only remotely (S3) is downloaded to a scratch file first, hashed on the way.
 */
export async function verifiedArchive(backupId: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const backup = await db.backup.findUniqueOrThrow({ where: { id: backupId } });
  let location;
  try {
    location = await archiveLocation(backupId);
  } catch {
    throw new RestoreRefused("No stored copy of this backup is available.");
  }
  let path = location.storage.localPath(location.key);
  let cleanup = async () => {};
  let actual;
  if (path) {
    actual = await sha256Of(await location.storage.get(location.key));
  } else {
    const scratchDir = join(resolve(env().BACKUP_DIR), ".restore");
    await mkdir(scratchDir, { recursive: true });
    const scratch = join(scratchDir, `${backupId}-${Date.now()}.zip`);
    cleanup = () => rm(scratch, { force: true });
    const hashed = hashingPassThrough();
    try {
      await pipeline(await location.storage.get(location.key), hashed.stream, createWriteStream(scratch, { mode: 0o600 }));
    } catch (error) {
      await cleanup();
      throw new RestoreRefused(`The backup could not be read from ${location.storage.name}: ${(error as Error).message}`);
    }
    actual = hashed.result();
    path = scratch;
  }
  if (actual.sha256 !== backup.sha256 || actual.sizeBytes !== Number(backup.sizeBytes)) {
    await cleanup();
    throw new RestoreRefused("The backup archive does not match its checksum (it was changed or truncated); nothing was restored.");
  }
  return { path, cleanup };
}

/** dump.sql into the (empty) database, in one transaction: all of it or nothing. */
export async function loadDump(archive: string, tenant: TenantConnection): Promise<void> {
  let loaded = false;
  await readOdooArchive(archive, async (entry, open) => {
    if (entry.name !== "dump.sql") return;
    await psqlRestore(tenant, await open());
    loaded = true;
  });
  if (!loaded) throw new RestoreRefused("The archive holds no dump.sql.");
}

/**
 * The archive's filestore/ into `<data_dir>/filestore/<dbName>/` of the container's volume,
 * through the engine's archive upload (works for stopped containers and remote engines), owned
 * like the data directory. Existing files stay: the filestore is content-addressed, so a file
 * of the same name has the same content, and files the database no longer names are unused.
 */
async function loadFilestore(archive: string, container: string, dbName: string): Promise<void> {
  const runtime = containerRuntime();
  const dataDir = await runtime.readArchive(container, ODOO_DATA_DIR);
  const owner = (dataDir && (await tarTopOwner(dataDir))) ?? { uid: 0, gid: 0 };
  const packer = tarPacker(owner);
  const upload = runtime.writeArchive(container, ODOO_DATA_DIR, packer.stream);
  try {
    packer.addDirectory(`filestore/${dbName}`);
    await readOdooArchive(archive, async (entry, open) => {
      if (!entry.name.startsWith("filestore/") || entry.name.endsWith("/")) return;
      const relative = entry.name.slice("filestore/".length);
      if (relative.split("/").some((part) => part === ".." || part === "")) return;
      await packer.add(`filestore/${dbName}/${relative}`, entry.size, await open());
    });
  } finally {
    packer.finish();
  }
  await upload;
}

/** A restored copy is a new database to Odoo: give it its own uuid, as Odoo's restore does. */
async function regenerateUuid(tenant: TenantConnection): Promise<void> {
  await withTenantClient(tenant, (client) =>
    client.query("UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key = 'database.uuid'"),
  );
}

async function databaseIsEmpty(tenant: TenantConnection): Promise<boolean> {
  return withTenantClient(tenant, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    return rows[0]!.n === 0;
  });
}

/**
 * Provisioning of an instance created from a backup, between "database and container exist"
 * and "start": loads the backup instead of letting Odoo initialise an empty database. Safe to
 * re-run: the dump is loaded only into a database that is still empty.
 */
export async function restoreIntoNewInstance(instanceId: string): Promise<void> {
  const instance = await db.instance.findUniqueOrThrow({ where: { id: instanceId } });
  const restore = await db.backupRestore.findFirst({ where: { targetInstanceId: instanceId, inPlace: false }, orderBy: { createdAt: "desc" } });
  try {
    const archive = await verifiedArchive(instance.restoreFromBackupId!);
    try {
      const tenant = await tenantConnection(instanceId);
      if (await databaseIsEmpty(tenant)) {
        await loadDump(archive.path, tenant);
        await regenerateUuid(tenant);
      }
      await loadFilestore(archive.path, odooContainerName(instanceId), instance.dbName!);
    } finally {
      await archive.cleanup();
    }
    await recordInstanceEvent(instanceId, "STEP", "Backup restored into the new database", ACTOR);
    if (restore) await db.backupRestore.update({ where: { id: restore.id }, data: { status: "SUCCEEDED", finishedAt: new Date() } });
  } catch (error) {
    const reason = (error as Error).message.slice(0, 500);
    if (restore) await db.backupRestore.update({ where: { id: restore.id }, data: { status: "FAILED", failureReason: reason, finishedAt: new Date() } });
    throw error;
  }
}

const sideNames = (dbName: string) => ({ incoming: `${dbName}_restore`, previous: `${dbName}_previous`, failed: `${dbName}_failed` });

/**
 * A restore in place. Nothing is touched until the archive's checksum is verified and a
 * pre-restore backup exists; the backup is loaded into a side database while the instance
 * keeps running; only then is the container stopped, the databases swapped (the old one kept
 * aside), the filestore loaded and Odoo started. Healthy: the old database is dropped. Not
 * healthy: the old database is put back and started again. The instance ends as it was before
 * (RUNNING or STOPPED), on the restored data or on its old data.
 */
export async function restoreInPlace(restoreId: string): Promise<{ status: string }> {
  const restore = await db.backupRestore.findUnique({ where: { id: restoreId } });
  if (!restore || restore.status === "SUCCEEDED" || restore.status === "FAILED") return { status: restore?.status ?? "MISSING" };
  const instance = await db.instance.findUniqueOrThrow({ where: { id: restore.targetInstanceId }, include: { dbServer: true } });
  if (instance.status !== "RESTORING") return { status: instance.status };
  await db.backupRestore.update({ where: { id: restoreId }, data: { status: "RUNNING" } });

  const access = accessFor(instance.dbServer!);
  const dbName = instance.dbName!;
  const names = sideNames(dbName);
  const container = odooContainerName(instance.id);
  const runtime = containerRuntime();
  const wasStopped = restore.previousStatus === "STOPPED";
  let swapped = false;
  let archive: { path: string; cleanup: () => Promise<void> } | null = null;

  // The instance leaves RESTORING before the restore is marked finished: whoever sees the
  // outcome also sees the instance's final status.
  const finish = async (outcome: "SUCCEEDED" | "FAILED", reason: string | null) => {
    const running = (await runtime.inspectContainer(container))?.running ?? false;
    await transitionStatus(instance.id, {
      to: running ? "RUNNING" : "STOPPED",
      from: ["RESTORING"],
      message: outcome === "SUCCEEDED" ? "Backup restored" : `Restore failed, the instance keeps its data: ${reason}`,
      actor: ACTOR,
    });
    await db.backupRestore.update({ where: { id: restoreId }, data: { status: outcome, failureReason: reason, finishedAt: new Date() } });
    return { status: outcome };
  };

  try {
    // A rerun after a crash mid-swap: put the old database back first, then start over.
    const existing = await existingDatabases(access, [dbName, names.previous, names.incoming]);
    if (existing.has(names.previous) && !existing.has(dbName)) await renameDatabase(access, names.previous, dbName);
    else if (existing.has(names.previous)) await dropDatabase(access, names.previous);
    await dropDatabase(access, names.incoming);

    archive = await verifiedArchive(restore.backupId);

    const pre = await db.backup.create({
      data: { instanceId: instance.id, kind: "PRE_RESTORE", odooSeries: instance.odooVersion, requestedBy: ACTOR },
    });
    if ((await runBackup(pre.id)).status !== "SUCCEEDED") {
      throw new RestoreRefused("The pre-restore backup failed, so nothing was restored; see the backup list for why.");
    }

    await createOwnedDatabase(access, { dbName: names.incoming, roleName: instance.dbUser! });
    await loadDump(archive.path, await tenantConnection(instance.id, names.incoming));

    await runtime.stopContainer(container, STOP_TIMEOUT_SECONDS);
    await renameDatabase(access, dbName, names.previous);
    await renameDatabase(access, names.incoming, dbName);
    swapped = true;
    await loadFilestore(archive.path, container, dbName);
    await runtime.startContainer(container);
    const outcome = await waitUntilHealthy({ id: instance.id, subdomain: instance.subdomain }, env().FIRST_BOOT_TIMEOUT_SECONDS * 1000);
    if (outcome.kind !== "healthy") throw new RestoreRefused("Odoo did not start on the restored data; the previous data was put back.");

    await dropDatabase(access, names.previous);
    if (wasStopped) await runtime.stopContainer(container, STOP_TIMEOUT_SECONDS);
    await recordInstanceEvent(instance.id, "STEP", "Backup restored in place", ACTOR);
    log.info({ restoreId, instanceId: instance.id }, "restore in place succeeded");
    return await finish("SUCCEEDED", null);
  } catch (error) {
    const reason = (error as Error).message.slice(0, 500);
    log.error({ restoreId, instanceId: instance.id, err: error }, "restore in place failed");
    try {
      if (swapped) {
        await runtime.stopContainer(container, STOP_TIMEOUT_SECONDS);
        await renameDatabase(access, dbName, names.failed);
        await renameDatabase(access, names.previous, dbName);
        await dropDatabase(access, names.failed);
      }
      await dropDatabase(access, names.incoming);
      if (!wasStopped) {
        await runtime.startContainer(container);
        await waitUntilHealthy({ id: instance.id, subdomain: instance.subdomain }, env().FIRST_BOOT_TIMEOUT_SECONDS * 1000);
      }
    } catch (rollbackError) {
      log.error({ restoreId, err: rollbackError }, "putting the previous data back failed");
      // Recorded, not only logged: an admin has to look at this instance.
      return finish("FAILED", `${reason}; putting the previous data back also failed: ${(rollbackError as Error).message}`.slice(0, 1000));
    }
    return finish("FAILED", reason);
  } finally {
    await archive?.cleanup();
  }
}
