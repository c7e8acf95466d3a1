import "@/server/load-dotenv";
import { Worker, type Job } from "bullmq";
import { followEngineEvents } from "@/server/domain/instances/follow-engine-events";
import { reconcileEveryMs, reconcileInstances } from "@/server/domain/instances/reconcile-instances";
import { refillSpareDatabases } from "@/server/db-pool/spare-databases";
import { scheduleBackups } from "@/server/domain/backups/schedule-backups";
import { verifyBackups } from "@/server/domain/backups/verify-backups";
import { env } from "@/server/env";
import { assertEnvOrExit } from "@/server/env-boot";
import { logger } from "@/server/logger";
import { recordJobMetrics } from "@/server/metrics/record-job-metrics";
import { startWorkerMetricsServer } from "@/server/metrics/worker-metrics-server";
import { createRedis } from "@/server/queue/connection";
import {
  getQueue,
  JOB,
  QUEUE,
  WORKER_HEARTBEAT_EVERY_MS,
  ZReconcilePayload,
  ZRefillSparesPayload,
  ZScheduleBackupsPayload,
  ZBillingSweepPayload,
  ZVerifyBackupsPayload,
  ZWorkerHeartbeatPayload,
} from "@/server/queue/queues";
import { containerRuntime } from "@/server/runtime";
import { processBackupJob } from "./jobs/backup-jobs";
import { processBillingJob } from "./jobs/billing-jobs";
import { registerKillbillCallback } from "@/server/domain/billing/killbill-notifications";
import { runBillingSweep } from "@/server/domain/billing/billing-sweep";
import { processInstanceJob } from "./jobs/instance-jobs";
import { workerHeartbeat } from "./jobs/worker-heartbeat";

/** Instance jobs mostly wait on the engine and on Odoo's boot: many can run side by side. */
const INSTANCE_CONCURRENCY = 16;
const SPARE_REFILL_EVERY_MS = 60_000;
/** Backups stream a dump and an archive each: a few at a time keeps the worker's memory flat. */
const BACKUP_CONCURRENCY = 2;
/** Billing events and provider calls are short HTTP and database work. */
const BILLING_CONCURRENCY = 4;
const BILLING_SWEEP_EVERY_MS = 60_000;

async function main(): Promise<void> {
  assertEnvOrExit();
  const config = env();
  const runtime = containerRuntime();
  const engine = await runtime.version();
  const queues = Object.values(QUEUE);
  const redis = createRedis("worker");

  const instances = new Worker(QUEUE.instances, processInstanceJob, {
    connection: createRedis("worker"),
    concurrency: INSTANCE_CONCURRENCY,
  });
  const backups = new Worker(QUEUE.backups, processBackupJob, {
    connection: createRedis("worker"),
    concurrency: BACKUP_CONCURRENCY,
    // A backup of a large database streams for minutes: renew the lock rather than stall it.
    lockDuration: 120_000,
  });
  const billing = new Worker(QUEUE.billing, processBillingJob, {
    connection: createRedis("worker"),
    concurrency: BILLING_CONCURRENCY,
  });
  const maintenance = new Worker(
    QUEUE.maintenance,
    async (job: Job) => {
      switch (job.name) {
        case JOB.workerHeartbeat:
          ZWorkerHeartbeatPayload.parse(job.data);
          return workerHeartbeat(redis, { engineVersion: engine.version, queues });
        case JOB.reconcileInstances:
          ZReconcilePayload.parse(job.data);
          return reconcileInstances();
        case JOB.refillSpareDatabases:
          ZRefillSparesPayload.parse(job.data);
          return refillSpareDatabases();
        case JOB.scheduleBackups:
          ZScheduleBackupsPayload.parse(job.data);
          return scheduleBackups();
        case JOB.verifyBackups:
          ZVerifyBackupsPayload.parse(job.data);
          return verifyBackups();
        case JOB.billingSweep:
          ZBillingSweepPayload.parse(job.data);
          return runBillingSweep();
        default:
          throw new Error(`unknown job ${job.name} on queue ${QUEUE.maintenance}`);
      }
    },
    { connection: createRedis("worker"), concurrency: 1 },
  );
  for (const worker of [instances, backups, billing, maintenance]) {
    recordJobMetrics(worker);
    worker.on("failed", (job, error) => {
      logger.error({ queue: worker.name, jobId: job?.id, job: job?.name, err: error }, "job failed");
    });
  }

  const maintenanceQueue = getQueue(QUEUE.maintenance);
  await maintenanceQueue.upsertJobScheduler(
    JOB.workerHeartbeat,
    { every: WORKER_HEARTBEAT_EVERY_MS },
    { name: JOB.workerHeartbeat, data: {} },
  );
  // One scheduler for the whole fleet, upserted at boot (never one per instance).
  await maintenanceQueue.upsertJobScheduler(
    JOB.reconcileInstances,
    { every: reconcileEveryMs() },
    { name: JOB.reconcileInstances, data: {} },
  );
  // Keeps every ACTIVE pool server's spare databases topped up (provisioning also asks for a
  // refill right after it takes one); the first run fills the pool at boot.
  await maintenanceQueue.upsertJobScheduler(
    JOB.refillSpareDatabases,
    { every: SPARE_REFILL_EVERY_MS },
    { name: JOB.refillSpareDatabases, data: {} },
  );
  // Daily backups of every running instance, then pruning by each plan's retention: one
  // scheduler for the fleet.
  await maintenanceQueue.upsertJobScheduler(
    JOB.scheduleBackups,
    { pattern: `0 ${config.BACKUP_HOUR_UTC} * * *`, tz: "UTC" },
    { name: JOB.scheduleBackups, data: {} },
  );
  // Weekly, two hours after Sunday's backups: restore a sample into scratch databases.
  await maintenanceQueue.upsertJobScheduler(
    JOB.verifyBackups,
    { pattern: `0 ${(config.BACKUP_HOUR_UTC + 2) % 24} * * 0`, tz: "UTC" },
    { name: JOB.verifyBackups, data: {} },
  );
  // Builtin billing clock, grace-period suspensions, end-of-subscription deletions, lost work.
  await maintenanceQueue.upsertJobScheduler(
    JOB.billingSweep,
    { every: BILLING_SWEEP_EVERY_MS },
    { name: JOB.billingSweep, data: {} },
  );
  await workerHeartbeat(redis, { engineVersion: engine.version, queues });
  if (config.BILLING_PROVIDER === "killbill") {
    // Kill Bill keeps one callback per tenant: (re)register ours at every boot.
    await registerKillbillCallback().catch((error: unknown) =>
      logger.error({ err: error }, "could not register the Kill Bill push-notification callback"),
    );
  }

  // Metrics are not worth stopping the jobs for: without them the worker runs and `up` is 0.
  const metricsServer = await startWorkerMetricsServer(config.WORKER_METRICS_PORT).catch((error: unknown) => {
    logger.error({ err: error, port: config.WORKER_METRICS_PORT }, "worker metrics server did not start");
    return null;
  });

  const events = new AbortController();
  followEngineEvents(runtime, events.signal);

  const images = await Promise.all(
    config.ODOO_SERIES.map(async (series) => {
      const reference = `${config.ODOO_IMAGE}:${series}`;
      return { reference, present: await runtime.hasImage(reference) };
    }),
  );
  for (const image of images.filter((i) => !i.present)) {
    logger.warn({ image: image.reference }, "Odoo image is missing on the container engine");
  }
  logger.info(
    { queues, engine: engine.version, engineApi: engine.apiVersion, images: images.map((i) => i.reference) },
    `worker ready: queues ${queues.join(", ")}; container engine ${engine.version} (API ${engine.apiVersion})`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker stopping: finishing active jobs");
    const force = setTimeout(() => {
      logger.error("worker did not stop within 30 s; exiting");
      process.exit(1);
    }, 30_000);
    force.unref();
    events.abort();
    await Promise.all([instances.close(), backups.close(), billing.close(), maintenance.close()]);
    await Promise.all(Object.values(QUEUE).map((name) => getQueue(name).close()));
    await redis.quit();
    await metricsServer?.close();
    logger.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, "worker failed to start");
  process.exit(1);
});
