import "@/server/load-dotenv";
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { registerKillbillCallback } from "@/server/domain/billing/killbill-notifications";
import { followEngineEvents } from "@/server/domain/instances/follow-engine-events";
import { reconcileEveryMs } from "@/server/domain/instances/reconcile-instances";
import { env, type TEnv } from "@/server/env";
import { assertEnvOrExit } from "@/server/env-boot";
import { logger } from "@/server/logger";
import { recordJobMetrics } from "@/server/metrics/record-job-metrics";
import { startWorkerMetricsServer } from "@/server/metrics/worker-metrics-server";
import { checkActiveServersIsolation } from "@/server/db-pool/check-server-isolation";
import { createRedis } from "@/server/queue/connection";
import { getQueue, JOB, QUEUE, WORKER_HEARTBEAT_EVERY_MS } from "@/server/queue/queues";
import { containerRuntime } from "@/server/runtime";
import type { ContainerRuntime } from "@/server/runtime/container-runtime";
import { processBackupJob } from "./jobs/backup-jobs";
import { processBillingJob } from "./jobs/billing-jobs";
import { processInstanceJob } from "./jobs/instance-jobs";
import { maintenanceProcessor } from "./jobs/maintenance-jobs";
import { workerHeartbeat } from "./jobs/worker-heartbeat";

/** Instance jobs mostly wait on the engine and on Odoo's boot: many can run side by side. */
const INSTANCE_CONCURRENCY = 16;
/** Backups stream a dump and an archive each: a few at a time keeps the worker's memory flat. */
const BACKUP_CONCURRENCY = 2;
/** Billing events and provider calls are short HTTP and database work. */
const BILLING_CONCURRENCY = 4;
const SPARE_REFILL_EVERY_MS = 60_000;
const BILLING_SWEEP_EVERY_MS = 60_000;
const ODOO_PASSWORD_CHECK_EVERY_MS = 60 * 60_000;
const FORCED_EXIT_AFTER_MS = 30_000;

type Heartbeat = { engineVersion: string; queues: string[] };

/** One BullMQ worker per queue, each with metrics and failure logging. */
function startWorkers(redis: Redis, heartbeat: Heartbeat): Worker[] {
  const workers = [
    new Worker(QUEUE.instances, processInstanceJob, { connection: createRedis("worker"), concurrency: INSTANCE_CONCURRENCY }),
    new Worker(QUEUE.backups, processBackupJob, {
      connection: createRedis("worker"),
      concurrency: BACKUP_CONCURRENCY,
      // A backup of a large database streams for minutes: renew the lock rather than stall it.
      lockDuration: 120_000,
    }),
    new Worker(QUEUE.billing, processBillingJob, { connection: createRedis("worker"), concurrency: BILLING_CONCURRENCY }),
    new Worker(QUEUE.maintenance, maintenanceProcessor(redis, heartbeat), { connection: createRedis("worker"), concurrency: 1 }),
  ];
  for (const worker of workers) {
    recordJobMetrics(worker);
    worker.on("failed", (job, error) => {
      logger.error({ queue: worker.name, jobId: job?.id, job: job?.name, err: error }, "job failed");
    });
    // Connection and lock errors outside a job: without a listener they would be lost.
    worker.on("error", (error) => {
      logger.error({ queue: worker.name, err: error }, "worker error");
    });
  }
  return workers;
}

/** One scheduler per fleet-wide job, upserted at every boot (never one per instance). */
async function upsertSchedulers(config: TEnv): Promise<void> {
  const maintenance = getQueue(QUEUE.maintenance);
  const every = (name: string, ms: number) => maintenance.upsertJobScheduler(name, { every: ms }, { name, data: {} });
  const daily = (name: string, pattern: string) => maintenance.upsertJobScheduler(name, { pattern, tz: "UTC" }, { name, data: {} });
  await every(JOB.workerHeartbeat, WORKER_HEARTBEAT_EVERY_MS);
  await every(JOB.reconcileInstances, reconcileEveryMs());
  // Keeps every ACTIVE pool server's spare databases topped up (provisioning also asks for a
  // refill right after it takes one); the first run fills the pool at boot.
  await every(JOB.refillSpareDatabases, SPARE_REFILL_EVERY_MS);
  // Daily backups of every running instance, then pruning by each plan's retention.
  await daily(JOB.scheduleBackups, `0 ${config.BACKUP_HOUR_UTC} * * *`);
  // Weekly, two hours after Sunday's backups: restore a sample into scratch databases.
  await daily(JOB.verifyBackups, `0 ${(config.BACKUP_HOUR_UTC + 2) % 24} * * 0`);
  // Builtin billing clock, grace-period suspensions, end-of-subscription deletions, lost work.
  await every(JOB.billingSweep, BILLING_SWEEP_EVERY_MS);
  // The platform's one-time fix for instances made before owners chose their Odoo password
  // (at boot, then hourly for any that could not be reached): admin/admin is rotated away.
  await every(JOB.checkOdooPasswords, ODOO_PASSWORD_CHECK_EVERY_MS);
}

/** Warns about Odoo images the engine does not have (provisioning on that series would fail). */
async function checkImages(runtime: ContainerRuntime, config: TEnv): Promise<string[]> {
  const references = config.ODOO_SERIES.map((series) => `${config.ODOO_IMAGE}:${series}`);
  for (const reference of references) {
    if (!(await runtime.hasImage(reference))) logger.warn({ image: reference }, "Odoo image is missing on the container engine");
  }
  return references;
}

/** SIGTERM/SIGINT: stop following events, let active jobs finish, close connections, exit. */
function stopOnSignals(parts: { workers: Worker[]; events: AbortController; redis: Redis; metrics: { close(): Promise<void> } | null }) {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker stopping: finishing active jobs");
    const force = setTimeout(() => {
      logger.error(`worker did not stop within ${FORCED_EXIT_AFTER_MS / 1000} s; exiting`);
      process.exit(1);
    }, FORCED_EXIT_AFTER_MS);
    force.unref();
    parts.events.abort();
    await Promise.all(parts.workers.map((worker) => worker.close()));
    await Promise.all(Object.values(QUEUE).map((name) => getQueue(name).close()));
    await parts.redis.quit();
    await parts.metrics?.close();
    logger.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

async function boot(): Promise<void> {
  assertEnvOrExit();
  const config = env();
  const runtime = containerRuntime();
  const engine = await runtime.version();
  const queues = Object.values(QUEUE);
  const heartbeat = { engineVersion: engine.version, queues };
  const redis = createRedis("worker");

  const workers = startWorkers(redis, heartbeat);
  await upsertSchedulers(config);
  await workerHeartbeat(redis, heartbeat);
  if (config.BILLING_PROVIDER === "killbill") {
    // Kill Bill keeps one callback per tenant: (re)register ours at every boot.
    await registerKillbillCallback().catch((error: unknown) =>
      logger.error({ err: error }, "could not register the Kill Bill push-notification callback"),
    );
  }
  // Metrics are not worth stopping the jobs for: without them the worker runs and `up` is 0.
  const metrics = await startWorkerMetricsServer(config.WORKER_METRICS_PORT).catch((error: unknown) => {
    logger.error({ err: error, port: config.WORKER_METRICS_PORT }, "worker metrics server did not start");
    return null;
  });
  const events = new AbortController();
  followEngineEvents(runtime, events.signal);
  const images = await checkImages(runtime, config);
  // Databases on the pool servers that every role may open are closed or reported (never throws).
  void checkActiveServersIsolation();
  stopOnSignals({ workers, events, redis, metrics });

  logger.info(
    { queues, engine: engine.version, engineApi: engine.apiVersion, images },
    `worker ready: queues ${queues.join(", ")}; container engine ${engine.version} (API ${engine.apiVersion})`,
  );
}

boot().catch((error: unknown) => {
  logger.fatal({ err: error }, "worker failed to start");
  process.exit(1);
});
