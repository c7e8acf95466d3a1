import { Redis, type RedisOptions } from "ioredis";
import { env } from "../env";

/**
 * Redis connections. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands);
 * queues used from web requests fail fast instead of queueing commands while Redis is down.
 */
export function createRedis(purpose: "worker" | "queue" | "probe", options: RedisOptions = {}): Redis {
  const base: RedisOptions =
    purpose === "worker"
      ? { maxRetriesPerRequest: null }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: purpose === "queue",
          connectTimeout: 2_000,
          // Keep reconnecting every second so health recovers by itself when Redis is back.
          retryStrategy: () => 1_000,
        };
  return new Redis(env().REDIS_URL, { lazyConnect: false, ...base, ...options });
}
