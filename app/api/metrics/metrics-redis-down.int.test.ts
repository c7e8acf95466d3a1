import { createServer, type Server, type Socket } from "node:net";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * A scrape while Redis does not answer: the queue gauges are skipped after their time box and
 * the rest of the metrics still come back. Redis here is a socket that accepts and never
 * replies (the worst case: no error to fail fast on).
 */
let silentRedis: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  silentRedis = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silentRedis.listen(0, "127.0.0.1", resolve));
  const address = silentRedis.address();
  if (!address || typeof address !== "object") throw new Error("no port");
  // Before anything reads the environment: env() is parsed once per process.
  vi.stubEnv("REDIS_URL", `redis://127.0.0.1:${address.port}/0`);
});

afterAll(async () => {
  // The queues' connections never became ready, so Queue.close() would wait for them forever:
  // stop their ioredis clients directly.
  const { getQueue, QUEUE } = await import("@/server/queue/queues");
  for (const queue of Object.values(QUEUE)) (getQueue(queue).opts.connection as Redis).disconnect();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silentRedis.close(resolve));
  vi.unstubAllEnvs();
});

describe("GET /api/metrics while Redis does not answer", () => {
  it("answers within the time box, without queue gauges, with instances from the database", async () => {
    const { GET } = await import("@/app/api/metrics/route");
    const started = Date.now();
    const response = await GET(
      new Request("http://localhost/api/metrics", { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } }),
    );
    const elapsed = Date.now() - started;
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(elapsed).toBeLessThan(4_000);
    expect(body).toMatch(/^saas_metrics_source_up\{source="queues"\} 0$/m);
    expect(body).toMatch(/^saas_metrics_source_up\{source="instances"\} 1$/m);
    expect(body).not.toMatch(/^saas_queue_jobs\{/m);
    expect(body).toMatch(/^saas_instances\{status="RUNNING"\} \d+$/m);
  });
});
