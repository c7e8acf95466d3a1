import type { Redis } from "ioredis";
import { containerEngine } from "../runtime";
import { db } from "../db";
import { createRedis } from "../queue/connection";
import { WORKER_HEARTBEAT_KEY, ZWorkerHeartbeat, type TWorkerHeartbeat } from "../queue/queues";
import { TimeoutError, withTimeout } from "../with-timeout";

export type DependencyName = "postgres" | "redis" | "containerEngine";

export type DependencyCheck =
  | { ok: true; latencyMs: number; version?: string }
  | { ok: false; latencyMs: number; error: string };

export type HealthReport = {
  status: "ok" | "down";
  /** Dependencies that failed their check, by name. Empty when status is ok. */
  down: DependencyName[];
  checks: Record<DependencyName, DependencyCheck>;
  /** The worker's last heartbeat (informational: the web answers without a worker). */
  worker: { lastSeenAt: string; engineVersion: string; queues: string[] } | null;
  checkedAt: string;
};

/** What anyone may see: up or down per dependency, nothing about versions, queues or the worker. */
export type PublicHealthReport = {
  status: HealthReport["status"];
  down: DependencyName[];
  checks: Record<DependencyName, { ok: boolean }>;
  checkedAt: string;
};

export function toPublicHealth(report: HealthReport): PublicHealthReport {
  const checks = Object.fromEntries(
    (Object.keys(report.checks) as DependencyName[]).map((name) => [name, { ok: report.checks[name].ok }]),
  ) as Record<DependencyName, { ok: boolean }>;
  return { status: report.status, down: report.down, checks, checkedAt: report.checkedAt };
}

const CHECK_TIMEOUT_MS = 2_000;

/** A short reason that never carries connection strings or credentials. */
function describeFailure(error: unknown): string {
  if (error instanceof TimeoutError) return error.message;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && code.length > 0) return code;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\w+:\/\/\S+/g, "[url]").slice(0, 200);
}

async function check(run: () => Promise<string | undefined>): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    const version = await withTimeout(run(), CHECK_TIMEOUT_MS);
    const latencyMs = Math.round(performance.now() - started);
    return version ? { ok: true, latencyMs, version } : { ok: true, latencyMs };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: describeFailure(error) };
  }
}

let probe: Redis | undefined;

function redisProbe(): Redis {
  probe ??= createRedis("probe");
  return probe;
}

async function pingRedis(): Promise<undefined> {
  const redis = redisProbe();
  if (redis.status !== "ready") {
    // A fresh or reconnecting client: give it a moment before calling Redis down.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("Redis is not connected")), 1_500);
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  const answer = await redis.ping();
  if (answer !== "PONG") throw new Error(`unexpected PING answer: ${answer}`);
  return undefined;
}

async function readWorkerHeartbeat(): Promise<TWorkerHeartbeat | null> {
  try {
    const raw = await withTimeout(redisProbe().get(WORKER_HEARTBEAT_KEY), 500);
    if (!raw) return null;
    const parsed = ZWorkerHeartbeat.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function checkHealth(): Promise<HealthReport> {
  const [postgres, redis, engine] = await Promise.all([
    check(async () => {
      const rows = await db.$queryRaw<{ version: string }[]>`SELECT current_setting('server_version') AS version`;
      return rows[0]?.version;
    }),
    check(pingRedis),
    check(async () => (await containerEngine().version()).Version),
  ]);
  const checks = { postgres, redis, containerEngine: engine };
  const down = (Object.keys(checks) as DependencyName[]).filter((name) => !checks[name].ok);
  const heartbeat = redis.ok ? await readWorkerHeartbeat() : null;
  return {
    status: down.length === 0 ? "ok" : "down",
    down,
    checks,
    worker: heartbeat
      ? { lastSeenAt: heartbeat.at, engineVersion: heartbeat.engineVersion, queues: heartbeat.queues }
      : null,
    checkedAt: new Date().toISOString(),
  };
}
