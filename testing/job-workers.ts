import { Queue, Worker } from "bullmq";
import { db } from "@/server/db";
import { deleteInstance } from "@/server/domain/instances/run-instance-action";
import { createRedis } from "@/server/queue/connection";
import { QUEUE } from "@/server/queue/queues";
import { processBackupJob } from "@/worker/jobs/backup-jobs";
import { processBillingJob } from "@/worker/jobs/billing-jobs";
import { processInstanceJob } from "@/worker/jobs/instance-jobs";

/**
 * The worker's instance, backup and billing processors, running in the test process on the real queues,
 * and a cleanup that deletes, for real, every instance the test recorded in `created`.
 */
export function startJobWorkers(): { created: string[]; stop: () => Promise<void> } {
  const instanceWorker = startInstanceWorker();
  const backupWorker = new Worker(QUEUE.backups, processBackupJob, { connection: createRedis("worker"), concurrency: 2 });
  const billingWorker = startBillingWorker();
  const created: string[] = [];
  return {
    created,
    async stop() {
      await instanceWorker.close();
      await backupWorker.close();
      await billingWorker.close();
      for (const id of created) {
        await db.instance.updateMany({ where: { id, status: { not: "DELETED" } }, data: { status: "DELETING" } });
        await deleteInstance(id).catch(() => undefined);
      }
      for (const name of [QUEUE.instances, QUEUE.backups, QUEUE.billing]) {
        await new Queue(name, { connection: createRedis("queue") }).obliterate({ force: true }).catch(() => undefined);
      }
    },
  };
}

/** The worker's instance processor (provisioning and lifecycle jobs) in the test process. */
export function startInstanceWorker(concurrency = 4): Worker {
  return new Worker(QUEUE.instances, processInstanceJob, { connection: createRedis("worker"), concurrency });
}

/** The worker's billing processor (events, subscription calls, Paynow polls) in the test process. */
export function startBillingWorker(concurrency = 4): Worker {
  return new Worker(QUEUE.billing, processBillingJob, { connection: createRedis("worker"), concurrency });
}
