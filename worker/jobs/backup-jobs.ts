import { UnrecoverableError, type Job } from "bullmq";
import { runBackup } from "@/server/domain/backups/run-backup";
import { restoreInPlace } from "@/server/domain/backups/restore-in-place";
import { db } from "@/server/db";
import { withLogContext } from "@/server/log-context";
import { logger } from "@/server/logger";
import { JOB, ZRestoreBackupPayload, ZRunBackupPayload } from "@/server/queue/queues";

/**
 * Backup and restore jobs. The domain records the outcome (FAILED with a reason, on the backup or
 * the restore); a FAILED outcome then fails the job without retries (UnrecoverableError), so
 * BullMQ's failed set shows it with the reason. What crashed the process is retried: a rerun
 * starts the work again.
 */
export function processBackupJob(job: Job): Promise<{ status: string }> {
  return withLogContext({ jobId: job.id, job: job.name, queue: job.queueName }, async () => {
    switch (job.name) {
      case JOB.runBackup: {
        const { backupId } = ZRunBackupPayload.parse(job.data);
        const result = await runBackup(backupId);
        logger.info({ backupId, status: result.status }, "backup job done");
        if (result.status === "FAILED") {
          const backup = await db.backup.findUnique({ where: { id: backupId }, select: { failureReason: true } });
          throw new UnrecoverableError(`backup failed: ${backup?.failureReason ?? "see the backup"}`);
        }
        return result;
      }
      case JOB.restoreBackup: {
        const { restoreId } = ZRestoreBackupPayload.parse(job.data);
        const result = await restoreInPlace(restoreId);
        logger.info({ restoreId, status: result.status }, "restore job done");
        if (result.status === "FAILED") {
          const restore = await db.backupRestore.findUnique({ where: { id: restoreId }, select: { failureReason: true } });
          throw new UnrecoverableError(`restore failed: ${restore?.failureReason ?? "see the restore"}`);
        }
        return result;
      }
      default:
        throw new UnrecoverableError(`unknown backup job ${job.name}`);
    }
  });
}
