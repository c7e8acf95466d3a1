import { Queue } from "bullmq";
import { z } from "zod";
import { createRedis } from "./connection";

/**
 * Queue and job names, payload schemas and enqueue helpers: the contract between web and worker.
 * Payloads carry ids only, validated by the same schema on both sides.
 */
export const QUEUE = {
  maintenance: "maintenance",
} as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export const JOB = {
  workerHeartbeat: "worker-heartbeat",
} as const;

export const ZWorkerHeartbeatPayload = z.object({}).strict();

/** Redis key where the worker records that it is alive (read by /api/health). */
export const WORKER_HEARTBEAT_KEY = "saas:worker:heartbeat";
export const WORKER_HEARTBEAT_EVERY_MS = 10_000;

export const ZWorkerHeartbeat = z.object({
  at: z.iso.datetime(),
  pid: z.number().int(),
  engineVersion: z.string(),
  queues: z.array(z.string()),
});
export type TWorkerHeartbeat = z.infer<typeof ZWorkerHeartbeat>;

/** Default job options: keep failures as evidence, retry with exponential backoff. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: false,
} as const;

const queues = new Map<QueueName, Queue>();

export function getQueue(name: QueueName): Queue {
  let queue = queues.get(name);
  if (!queue) {
    queue = new Queue(name, {
      connection: createRedis("queue"),
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    queues.set(name, queue);
  }
  return queue;
}
