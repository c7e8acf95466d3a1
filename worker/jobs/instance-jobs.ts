import { UnrecoverableError, type Job } from "bullmq";
import { restoreIntoNewInstance } from "@/server/domain/backups/restore-into-new-instance";
import { OdooSpecInputError } from "@/server/domain/instances/odoo-container-spec";
import { PermanentFailure, provisionInstance } from "@/server/domain/instances/provision-instance";
import {
  deleteInstance,
  restartInstance,
  startInstance,
  stopInstance,
  suspendInstanceContainer,
} from "@/server/domain/instances/run-instance-action";
import { recordInstanceEvent, transitionStatus } from "@/server/domain/instances/transition-status";
import type { InstanceStatus } from "@/server/generated/prisma/enums";
import { withLogContext } from "@/server/log-context";
import { logger } from "@/server/logger";
import { JOB, ZInstanceJobPayload } from "@/server/queue/queues";

const RUN: Record<string, (instanceId: string) => Promise<{ status: string }>> = {
  // Backups build on instances: provisioning gets the restore loader from here, the composition point.
  [JOB.provisionInstance]: (id) => provisionInstance(id, { restoreFromBackup: restoreIntoNewInstance }),
  [JOB.startInstance]: (id) => startInstance(id),
  [JOB.stopInstance]: (id) => stopInstance(id),
  [JOB.restartInstance]: (id) => restartInstance(id),
  [JOB.deleteInstance]: (id) => deleteInstance(id),
  [JOB.suspendInstance]: (id) => suspendInstanceContainer(id),
};

/** Where a job leaves the instance when its last attempt fails. */
const FAILED_FROM: Record<string, InstanceStatus[]> = {
  [JOB.provisionInstance]: ["PROVISIONING", "STARTING"],
  [JOB.startInstance]: ["STARTING"],
  [JOB.stopInstance]: ["STOPPING"],
  [JOB.restartInstance]: ["RESTARTING"],
  [JOB.deleteInstance]: ["DELETING"],
  [JOB.suspendInstance]: [],
};

/**
 * Runs one instance job. A failure is recorded on the instance's timeline; the last attempt's
 * failure also moves it to ERROR with the reason. The error is rethrown so BullMQ keeps the
 * failed job as evidence and retries with backoff.
 */
export function processInstanceJob(job: Job): Promise<{ status: string }> {
  return withLogContext({ jobId: job.id, job: job.name, queue: job.queueName }, () => runInstanceJob(job));
}

async function runInstanceJob(job: Job): Promise<{ status: string }> {
  const run = RUN[job.name];
  if (!run) throw new UnrecoverableError(`unknown instance job ${job.name}`);
  const { instanceId } = ZInstanceJobPayload.parse(job.data);
  const log = logger.child({ instanceId });
  try {
    const result = await run(instanceId);
    log.info({ status: result.status }, "instance job done");
    return result;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentFailure) {
      // Already recorded on the instance; keep the failed job as evidence, without retries.
      log.warn({ reason }, "instance job failed for good");
      throw new UnrecoverableError(reason);
    }
    // A spec the instance's own data makes impossible fails the same way at every attempt.
    const permanent = error instanceof OdooSpecInputError;
    const lastAttempt = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    log.error({ err: error, attempt: job.attemptsMade + 1, lastAttempt }, "instance job failed");
    await recordInstanceEvent(instanceId, "ERROR", `${job.name} failed: ${reason}`, "system:worker").catch(() => undefined);
    if (lastAttempt) {
      await transitionStatus(instanceId, {
        to: "ERROR",
        from: FAILED_FROM[job.name],
        message: `${job.name.replace("-instance", "")} failed: ${reason}`,
        actor: "system:worker",
      });
    }
    throw permanent ? new UnrecoverableError(reason) : error;
  }
}
