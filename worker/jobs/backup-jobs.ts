import { UnrecoverableError, type Job } from "bullmq";
import { runBackup } from "@/server/domain/backups/run-backup";
import { restoreInPlace } from "@/server/domain/backups/restore-in-place";
import { withLogContext } from "@/server/log-context";
import { logger } from "@/server/logger";
import { JOB, ZRestoreBackupPayload, ZRunBackupPayload } from "@/server/queue/queues";

/**
 * Backup and restore jobs. Both record their own outcome (FAILED with a reason) instead of
 * throwing, so BullMQ retries only what crashed the process; a rerun starts the work again.
 */
export function processBackupJob(job: Job): Promise<{ status: string }> {
  return withLogContext({ jobId: job.id, job: job.name, queue: job.queueName }, async () => {
    switch (job.name) {
      case JOB.runBackup: {
        const { backupId } = ZRunBackupPayload.parse(job.data);
        const result = await runBackup(backupId);
        logger.info({ backupId, status: result.status }, "backup job done");
        return result;
      }
      case JOB.restoreBackup: {
        const { restoreId } = ZRestoreBackupPayload.parse(job.data);
        const result = await restoreInPlace(restoreId);
        logger.info({ restoreId, status: result.status }, "restore job done");
        return result;
      }
      default:
        throw new UnrecoverableError(`unknown backup job ${job.name}`);
    }
  });
}
