import { accessFor, createOwnedDatabase, dropDatabase, existingDatabases, renameDatabase } from "../../db-pool/manager";
import { db } from "../../db";
import { env } from "../../env";
import { RestoreRefused } from "../../errors";
import { logger } from "../../logger";
import { containerRuntime } from "../../runtime";
import { odooContainerName } from "../instances/odoo-container-spec";
import { tenantConnection } from "../instances/tenant-connection";
import { secureRestoredDatabase } from "../instances/odoo-admin-password";
import { recordInstanceEvent, transitionStatus } from "../instances/transition-status";
import { waitUntilHealthy } from "../instances/wait-until-healthy";
import { loadDump, loadFilestore } from "./load-backup";
import { runBackup } from "./run-backup";
import { verifiedArchive } from "./verified-archive";

const log = logger.child({ component: "restore" });
const ACTOR = "system:restore";
const STOP_TIMEOUT_SECONDS = 30;

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
    const incoming = await tenantConnection(instance.id, names.incoming);
    await loadDump(archive.path, incoming);
    await secureRestoredDatabase(instance.id, incoming);

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
