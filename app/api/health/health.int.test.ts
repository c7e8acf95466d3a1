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

type Body = {
  status: string;
  down: string[];
  checks: Record<string, { ok: boolean; error?: string; version?: string; latencyMs?: number }>;
  worker?: unknown;
  checkedAt: string;
};

async function getHealth(headers?: Record<string, string>): Promise<{ status: number; body: Body }> {
  const { GET } = await import("@/app/api/health/route");
  const response = await GET(new Request("http://localhost/api/health", { headers }));
  return { status: response.status, body: (await response.json()) as Body };
}

const metricsToken = () => {
  const token = process.env.METRICS_TOKEN;
  if (!token) throw new Error("METRICS_TOKEN must be set (.env)");
  return token;
};

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

  it("tells the public up or down per dependency only: no versions, latencies, errors, queues or worker", async () => {
    const { last } = await waitFor((r) => r.status === 200, 5_000);
    expect(last.body).toEqual({
      status: "ok",
      down: [],
      checks: { postgres: { ok: true }, redis: { ok: true }, containerEngine: { ok: true } },
      checkedAt: expect.any(String),
    });
    const wrongToken = await getHealth({ authorization: `Bearer ${metricsToken()}x` });
    expect(JSON.stringify(wrongToken.body)).not.toMatch(/version|latency|queue|worker|lastSeen/i);
  });

  it("gives the full report to Bearer METRICS_TOKEN", async () => {
    const { status, body } = await getHealth({ authorization: `Bearer ${metricsToken()}` });
    expect(status).toBe(200);
    expect(body.checks.postgres?.version).toMatch(/^\d+/);
    expect(body.checks.containerEngine?.version).toMatch(/^\d+\.\d+/);
    expect(body.checks.redis?.latencyMs).toEqual(expect.any(Number));
    expect(body).toHaveProperty("worker");
  });

  it("answers 503 naming Redis within 5 s of Redis stopping, and recovers by itself", async () => {
    await stopRedis();
    const down = await waitFor((r) => r.status === 503, 5_000);
    expect(down.last.status).toBe(503);
    expect(down.last.body.down).toEqual(["redis"]);
    expect(down.last.body.checks.redis).toEqual({ ok: false });
    expect(down.elapsedMs).toBeLessThan(5_000);
    // The reason is for the operator.
    const detailed = await getHealth({ authorization: `Bearer ${metricsToken()}` });
    expect(detailed.status).toBe(503);
    expect(detailed.body.checks.redis?.error).toEqual(expect.any(String));

    await startRedis();
    const up = await waitFor((r) => r.status === 200, 10_000);
    expect(up.last.status).toBe(200);
    expect(up.last.body.down).toEqual([]);
  });
});
