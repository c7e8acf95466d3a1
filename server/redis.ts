import type { Redis } from "ioredis";
import { createRedis } from "./queue/connection";

let client: Redis | undefined;

/** Shared Redis connection for request-time work (rate limits); fails fast while Redis is down. */
export function redis(): Redis {
  client ??= createRedis("queue");
  return client;
}
