import { Redis, type RedisOptions } from "ioredis";
import { env } from "../env";
import { logger } from "../logger";

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
  const redis = new Redis(env().REDIS_URL, { lazyConnect: false, ...base, ...options });
  // ioredis reconnects by itself; log the first error of an outage, not every retry.
  let lastError: string | undefined;
  redis.on("error", (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn({ purpose, err: error.message }, "Redis connection error");
  });
  redis.on("ready", () => {
    if (lastError) logger.info({ purpose }, "Redis connection restored");
    lastError = undefined;
  });
  return redis;
}
