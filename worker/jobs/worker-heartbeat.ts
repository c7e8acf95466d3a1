import type { Redis } from "ioredis";
import {
  WORKER_HEARTBEAT_EVERY_MS,
  WORKER_HEARTBEAT_KEY,
  type TWorkerHeartbeat,
} from "@/server/queue/queues";

/** Records that a worker is alive; /api/health shows it. Expires if the worker stops. */
export async function workerHeartbeat(
  redis: Redis,
  info: Omit<TWorkerHeartbeat, "at" | "pid">,
): Promise<TWorkerHeartbeat> {
  const heartbeat: TWorkerHeartbeat = { at: new Date().toISOString(), pid: process.pid, ...info };
  await redis.set(WORKER_HEARTBEAT_KEY, JSON.stringify(heartbeat), "PX", WORKER_HEARTBEAT_EVERY_MS * 3);
  return heartbeat;
}
