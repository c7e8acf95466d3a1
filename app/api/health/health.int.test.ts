import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * The health route against real dependencies, with a Redis of its own that the test stops and
 * starts again, so the shared Redis of the other suites is never disturbed.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

let redisPort = 0;
let redis: ChildProcess | undefined;

async function startRedis(): Promise<void> {
  redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
}

async function stopRedis(): Promise<void> {
  const process = redis;
  redis = undefined;
  if (!process || process.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    process.once("exit", () => resolve());
    process.kill("SIGTERM");
  });
}

type Body = { status: string; down: string[]; checks: Record<string, { ok: boolean; error?: string }> };

async function getHealth(): Promise<{ status: number; body: Body }> {
  const { GET } = await import("@/app/api/health/route");
  const response = await GET();
  return { status: response.status, body: (await response.json()) as Body };
}

async function waitFor(predicate: (r: { status: number; body: Body }) => boolean, withinMs: number) {
  const started = Date.now();
  let last = await getHealth();
  while (!predicate(last) && Date.now() - started < withinMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await getHealth();
  }
  return { last, elapsedMs: Date.now() - started };
}

describe("GET /api/health", () => {
  beforeAll(async () => {
    redisPort = await freePort();
    vi.stubEnv("REDIS_URL", `redis://127.0.0.1:${redisPort}/0`);
    await startRedis();
  });

  afterAll(async () => {
    await stopRedis();
    vi.unstubAllEnvs();
  });

  it("answers 200 with every dependency up", async () => {
    const { last } = await waitFor((r) => r.status === 200, 5_000);
    expect(last.status).toBe(200);
    expect(last.body.status).toBe("ok");
    expect(last.body.checks.postgres?.ok).toBe(true);
    expect(last.body.checks.redis?.ok).toBe(true);
    expect(last.body.checks.containerEngine?.ok).toBe(true);
  });

  it("answers 503 naming Redis within 5 s of Redis stopping, and recovers by itself", async () => {
    await stopRedis();
    const down = await waitFor((r) => r.status === 503, 5_000);
    expect(down.last.status).toBe(503);
    expect(down.last.body.down).toEqual(["redis"]);
    expect(down.last.body.checks.redis?.ok).toBe(false);
    expect(down.elapsedMs).toBeLessThan(5_000);

    await startRedis();
    const up = await waitFor((r) => r.status === 200, 10_000);
    expect(up.last.status).toBe(200);
    expect(up.last.body.down).toEqual([]);
  });
});
