import "@/server/load-dotenv";
import { Worker, type Job } from "bullmq";
import { containerEngine } from "@/server/container-engine";
import { env } from "@/server/env";
import { assertEnvOrExit } from "@/server/env-boot";
import { logger } from "@/server/logger";
import { createRedis } from "@/server/queue/connection";
import {
  getQueue,
  JOB,
  QUEUE,
  WORKER_HEARTBEAT_EVERY_MS,
  ZWorkerHeartbeatPayload,
} from "@/server/queue/queues";
import { workerHeartbeat } from "./jobs/worker-heartbeat";
import { DockerRuntime } from "./runtime/docker-runtime";

async function main(): Promise<void> {
  assertEnvOrExit();
  const config = env();
  const runtime = new DockerRuntime(containerEngine());
  const engine = await runtime.version();
  const queues = Object.values(QUEUE);

  const redis = createRedis("worker");
  const maintenance = new Worker(
    QUEUE.maintenance,
    async (job: Job) => {
      switch (job.name) {
        case JOB.workerHeartbeat:
          ZWorkerHeartbeatPayload.parse(job.data);
          return workerHeartbeat(redis, { engineVersion: engine.version, queues });
        default:
          throw new Error(`unknown job ${job.name} on queue ${QUEUE.maintenance}`);
      }
    },
    { connection: createRedis("worker"), concurrency: 1 },
  );
  maintenance.on("failed", (job, error) => {
    logger.error({ queue: QUEUE.maintenance, jobId: job?.id, job: job?.name, err: error }, "job failed");
  });

  await getQueue(QUEUE.maintenance).upsertJobScheduler(
    JOB.workerHeartbeat,
    { every: WORKER_HEARTBEAT_EVERY_MS },
    { name: JOB.workerHeartbeat, data: {} },
  );
  await workerHeartbeat(redis, { engineVersion: engine.version, queues });

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
    await maintenance.close();
    await getQueue(QUEUE.maintenance).close();
    await redis.quit();
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
