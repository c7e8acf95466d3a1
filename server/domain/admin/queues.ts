import { z } from "zod";
import type { UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { AppError } from "../../errors";
import { getQueue, JOB, QUEUE, ZInstanceJobPayload, type QueueName } from "../../queue/queues";
import { retryProvisioning } from "./instances";
import { db } from "../../db";

const ZQueueName = z.enum(Object.values(QUEUE) as [QueueName, ...QueueName[]]);
export const ZQueueRef = z.object({ queue: ZQueueName });
export const ZJobRef = z.object({ queue: ZQueueName, jobId: z.string().min(1).max(200) });

export async function listQueues() {
  return Promise.all(
    Object.values(QUEUE).map(async (name) => ({
      name,
      counts: (await getQueue(name).getJobCounts("waiting", "active", "delayed", "failed", "completed")) as Record<
        "waiting" | "active" | "delayed" | "failed" | "completed",
        number
      >,
    })),
  );
}

export async function listFailedJobs(queue: QueueName) {
  const jobs = await getQueue(queue).getFailed(0, 99);
  return jobs.map((job) => ({
    id: job.id ?? "",
    name: job.name,
    failedReason: job.failedReason,
    stacktrace: job.stacktrace ?? [],
    attemptsMade: job.attemptsMade,
    finishedOn: job.finishedOn ?? null,
    data: job.data as unknown,
  }));
}

/** Failed jobs in the last day, across queues (for the overview). */
export async function countFailedJobsSince(since: number): Promise<number> {
  let count = 0;
  for (const name of Object.values(QUEUE)) {
    const jobs = await getQueue(name).getFailed(0, 999);
    count += jobs.filter((job) => (job.finishedOn ?? 0) >= since).length;
  }
  return count;
}

/**
 * Retries a failed job. A failed provisioning first moves its instance back to PROVISIONING
 * (through the same path as "retry provisioning"), or the rerun would find nothing to do.
 */
export async function retryJob(actor: UserActor, input: z.infer<typeof ZJobRef>) {
  const job = await getQueue(input.queue).getJob(input.jobId);
  if (!job || !(await job.isFailed())) throw new AppError("NOT_FOUND", "No failed job with this id.");
  if (input.queue === QUEUE.instances && job.name === JOB.provisionInstance) {
    const { instanceId } = ZInstanceJobPayload.parse(job.data);
    const instance = await db.instance.findUnique({ where: { id: instanceId }, select: { status: true } });
    if (instance?.status === "ERROR") {
      await job.remove();
      await retryProvisioning(actor, instanceId);
      return { ok: true as const };
    }
  }
  await job.retry("failed");
  await recordAudit({ actor, action: "job.retry", targetType: "job", targetId: `${input.queue}/${input.jobId}` });
  return { ok: true as const };
}

export async function removeJob(actor: UserActor, input: z.infer<typeof ZJobRef>) {
  const job = await getQueue(input.queue).getJob(input.jobId);
  if (!job) throw new AppError("NOT_FOUND", "No job with this id.");
  await job.remove();
  await recordAudit({ actor, action: "job.remove", targetType: "job", targetId: `${input.queue}/${input.jobId}` });
  return { ok: true as const };
}
