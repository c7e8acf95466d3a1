import { db } from "../../db";
import { logger } from "../../logger";
import { enqueueBackup } from "../../queue/queues";
import { createBackup, deleteBackupArchive, startOfUtcDay } from "./manage-backups";
import { DEFAULT_RETENTION, planRetention } from "./retention";

const log = logger.child({ component: "backup-scheduler" });
const ACTOR = "system:scheduler";
/** A backup still PENDING after this long lost its queue entry (Redis was down): queue it again. */
const LOST_AFTER_MS = 10 * 60_000;


/**
 * Applies the plan's retention to one instance's backups: deletes the stored copies and the
 * records that planRetention lets go (never the newest successful one). Returns how many went.
 */
export async function pruneBackups(instanceId: string, now = new Date()): Promise<number> {
  const instance = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { plan: true } });
  const backups = await db.backup.findMany({
    where: { instanceId },
    select: { id: true, createdAt: true, kind: true, status: true },
  });
  const { remove } = planRetention(
    backups,
    {
      ...DEFAULT_RETENTION,
      daily: instance.plan.backupKeepDaily,
      weekly: instance.plan.backupKeepWeekly,
      monthly: instance.plan.backupKeepMonthly,
    },
    now,
  );
  for (const backupId of remove) await deleteBackupArchive(backupId);
  if (remove.length > 0) log.info({ instanceId, removed: remove.length }, "old backups pruned");
  return remove.length;
}

/**
 * The daily pass: a SCHEDULED backup for every running instance that has none today, lost
 * PENDING backups queued again, then retention applied to every instance with backups.
 */
export async function scheduleBackups(now = new Date()): Promise<{ queued: number; requeued: number; pruned: number }> {
  const result = { queued: 0, requeued: 0, pruned: 0 };
  const due = await db.instance.findMany({
    where: {
      status: { in: ["RUNNING", "UNHEALTHY"] },
      initializedAt: { not: null },
      backups: { none: { kind: "SCHEDULED", createdAt: { gte: startOfUtcDay(now) } } },
    },
    select: { id: true },
  });
  for (const instance of due) {
    try {
      const { created } = await createBackup(instance.id, "SCHEDULED", ACTOR);
      if (created) result.queued += 1;
    } catch (error) {
      log.warn({ err: error, instanceId: instance.id }, "could not schedule a backup");
    }
  }

  const lost = await db.backup.findMany({
    where: { status: "PENDING", createdAt: { lt: new Date(now.getTime() - LOST_AFTER_MS) } },
    select: { id: true },
  });
  for (const backup of lost) {
    await enqueueBackup(backup.id);
    result.requeued += 1;
  }

  const withBackups = await db.backup.findMany({ distinct: ["instanceId"], select: { instanceId: true } });
  for (const { instanceId } of withBackups) result.pruned += await pruneBackups(instanceId, now);
  log.info(result, "daily backups scheduled");
  return result;
}
