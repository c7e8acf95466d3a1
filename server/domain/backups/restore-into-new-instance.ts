import { db } from "../../db";
import { odooContainerName } from "../instances/odoo-container-spec";
import { tenantConnection } from "../instances/tenant-connection";
import { recordInstanceEvent } from "../instances/transition-status";
import { databaseIsEmpty, loadDump, loadFilestore, regenerateUuid } from "./load-backup";
import { verifiedArchive } from "./verified-archive";

const ACTOR = "system:restore";

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
