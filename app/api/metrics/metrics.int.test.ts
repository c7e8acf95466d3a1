import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { InstanceStatus } from "@/server/generated/prisma/enums";
import { getQueue, QUEUE } from "@/server/queue/queues";
import { createTestUser } from "@/testing/accounts";
import { uniqueSubdomain } from "@/testing/instances";
import { QUEUE_STATES } from "@/server/metrics/registry";
import { startWorkerMetricsServer, type WorkerMetricsServer } from "@/server/metrics/worker-metrics-server";

/**
 * /api/metrics and the worker's /metrics against the real database and Redis: the token is
 * required, the body is valid Prometheus text, and instances by status match the database.
 */
const TOKEN = process.env.METRICS_TOKEN ?? "";

// --- A small parser for the Prometheus text exposition format (version 0.0.4) ---------------

type Sample = { name: string; labels: Record<string, string>; value: number };
type Family = { name: string; type?: string; help?: string };
type Exposition = { families: Map<string, Family>; samples: Sample[] };

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const LABELS = `\\{(?:${LABEL_NAME}=${LABEL_VALUE}(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?\\}`;
// Prometheus parses values with Go's strconv.ParseFloat, which takes NaN in any case: prom-client
// renders an empty summary's mean as "Nan" (e.g. the event-loop lag before its first sample).
const VALUE = "[+-]?(?:Inf|[Nn][Aa][Nn]|\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)";
const SAMPLE_LINE = new RegExp(`^(${NAME})(${LABELS})? (${VALUE})(?: -?\\d+)?$`);
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SUFFIXES: Record<string, string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  for (const match of text.matchAll(new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, "g"))) {
    const raw = match[2]!.slice(1, -1);
    labels[match[1]!] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}

function parseValue(text: string): number {
  if (/^[+]?Inf$/.test(text)) return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

/** Parses an exposition; throws naming the first line that is not well-formed. */
function parseExposition(body: string): Exposition {
  const families = new Map<string, Family>();
  const samples: Sample[] = [];
  const family = (name: string) => {
    let entry = families.get(name);
    if (!entry) families.set(name, (entry = { name }));
    return entry;
  };
  const familyOf = (sample: string): Family | undefined => {
    for (const [name, entry] of families) {
      const suffixes = SUFFIXES[entry.type ?? ""] ?? [""];
      if (suffixes.some((suffix) => sample === name + suffix)) return entry;
    }
    return undefined;
  };
  const lines = body.split("\n");
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line.trim() === "") return;
    const help = HELP_LINE.exec(line);
    if (help) {
      const entry = family(help[1]!);
      if (entry.help !== undefined) throw new Error(`second HELP for ${entry.name} at ${where}`);
      entry.help = help[2]!;
      return;
    }
    const type = TYPE_LINE.exec(line);
    if (type) {
      const entry = family(type[1]!);
      if (entry.type !== undefined) throw new Error(`second TYPE for ${entry.name} at ${where}`);
      if (samples.some((s) => familyOf(s.name) === entry)) throw new Error(`TYPE after samples at ${where}`);
      entry.type = type[2]!;
      return;
    }
    if (line.startsWith("#")) return; // other comments are allowed
    const sample = SAMPLE_LINE.exec(line);
    if (!sample) throw new Error(`malformed sample at ${where}`);
    const parsed = { name: sample[1]!, labels: parseLabels(sample[2]), value: parseValue(sample[3]!) };
    const owner = familyOf(parsed.name);
    if (!owner?.type) throw new Error(`sample without a TYPE at ${where}`);
    if (owner.type === "histogram" && parsed.name.endsWith("_bucket") && parsed.labels.le === undefined) {
      throw new Error(`histogram bucket without le at ${where}`);
    }
    samples.push(parsed);
  });
  return { families, samples };
}

function valueOf(exposition: Exposition, name: string, labels: Record<string, string>): number | undefined {
  return exposition.samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  )?.value;
}

// --- Helpers ---------------------------------------------------------------------------------

async function scrape(authorization?: string): Promise<Response> {
  const { GET } = await import("@/app/api/metrics/route");
  const headers = new Headers();
  if (authorization !== undefined) headers.set("authorization", authorization);
  return GET(new Request("http://localhost/api/metrics", { headers }));
}

async function dbCounts(): Promise<Record<string, number>> {
  const statuses = Object.values(InstanceStatus);
  const counts = await Promise.all(statuses.map((status) => db.instance.count({ where: { status } })));
  return Object.fromEntries(statuses.map((status, i) => [status, counts[i]!]));
}

/**
 * A scrape with the database counts around it. Other suites may add or remove instances at
 * the same time: retry until the counts did not move during the scrape.
 */
async function scrapeWithStableCounts(): Promise<{ response: Response; body: string; counts: Record<string, number> }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = await dbCounts();
    const response = await scrape(`Bearer ${TOKEN}`);
    const body = await response.text();
    const after = await dbCounts();
    if (JSON.stringify(before) === JSON.stringify(after)) return { response, body, counts: before };
  }
  throw new Error("instance counts kept changing during the scrape");
}

// --- Data ------------------------------------------------------------------------------------

const INSERTED: InstanceStatus[] = ["RUNNING", "RUNNING", "UNHEALTHY", "STOPPED", "ERROR", "DELETED"];
let userId = "";
const instanceIds: string[] = [];

beforeAll(async () => {
  expect(TOKEN.length).toBeGreaterThanOrEqual(16);
  const user = await createTestUser();
  userId = user.id;
  const plan = await db.plan.findUniqueOrThrow({ where: { id: "basic-monthly" } });
  for (const status of INSERTED) {
    const deleted = status === "DELETED";
    const instance = await db.instance.create({
      data: {
        ownerId: user.id,
        name: `Metrics ${status.toLowerCase()}`,
        subdomain: deleted ? null : uniqueSubdomain("m"),
        odooVersion: plan.allowedSeries[0] ?? "17.0",
        planId: plan.id,
        adminEmail: user.email,
        cpuLimit: plan.cpu,
        memoryMb: plan.memoryMb,
        storageGb: plan.storageGb,
        status,
        deletedAt: deleted ? new Date() : null,
      },
    });
    instanceIds.push(instance.id);
  }
});

afterAll(async () => {
  await db.instanceEvent.deleteMany({ where: { instanceId: { in: instanceIds } } });
  await db.instance.deleteMany({ where: { id: { in: instanceIds } } });
  if (userId) await db.user.delete({ where: { id: userId } }).catch(() => undefined);
  await Promise.all(Object.values(QUEUE).map((queue) => getQueue(queue).close()));
});

// --- Tests -----------------------------------------------------------------------------------

describe("GET /api/metrics", () => {
  it("answers 401 with WWW-Authenticate: Bearer without a token", async () => {
    const response = await scrape();
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    expect(await response.text()).not.toContain("saas_");
  });

  it.each([
    ["a wrong token", `Bearer ${TOKEN}-wrong`],
    ["another scheme", `Basic ${TOKEN}`],
    ["the token without the scheme", TOKEN],
  ])("answers 401 with %s", async (_label, authorization) => {
    const response = await scrape(authorization);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("answers 200 in the Prometheus text format with the platform's metrics", async () => {
    const { response, body } = await scrapeWithStableCounts();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);

    const exposition = parseExposition(body);
    expect(exposition.samples.length).toBeGreaterThan(0);
    for (const name of [
      "saas_instances",
      "saas_provisioning_duration_seconds",
      "saas_jobs_total",
      "saas_queue_jobs",
      "saas_http_request_duration_seconds",
      "saas_webhook_events_total",
      "saas_backup_duration_seconds",
      "saas_backup_size_bytes",
      "saas_backup_failures_total",
      "saas_metrics_source_up",
      "saas_process_cpu_user_seconds_total",
    ]) {
      expect(exposition.families.get(name)?.type, name).toBeDefined();
    }
    expect(exposition.families.get("saas_provisioning_duration_seconds")?.type).toBe("histogram");
    expect(valueOf(exposition, "saas_metrics_source_up", { source: "instances" })).toBe(1);
    expect(valueOf(exposition, "saas_metrics_source_up", { source: "queues" })).toBe(1);
    for (const queue of Object.values(QUEUE)) {
      for (const state of QUEUE_STATES) {
        expect(valueOf(exposition, "saas_queue_jobs", { queue, state }), `${queue} ${state}`).toBeGreaterThanOrEqual(0);
      }
    }
    // Defined now, zero until backups and billing record them.
    expect(valueOf(exposition, "saas_backup_failures_total", {})).toBe(0);
    expect(valueOf(exposition, "saas_provisioning_duration_seconds_count", { outcome: "error" })).toBeGreaterThanOrEqual(0);
  });

  it("reports instances by status exactly as the database counts them", async () => {
    const { body, counts } = await scrapeWithStableCounts();
    const exposition = parseExposition(body);
    const instanceSamples = exposition.samples.filter((s) => s.name === "saas_instances");
    expect(instanceSamples.map((s) => s.labels.status).sort()).toEqual(Object.values(InstanceStatus).sort());
    for (const status of Object.values(InstanceStatus)) {
      expect(valueOf(exposition, "saas_instances", { status }), status).toBe(counts[status]);
    }
    // The rows this test inserted are among them.
    expect(counts.RUNNING).toBeGreaterThanOrEqual(2);
    expect(counts.DELETED).toBeGreaterThanOrEqual(1);
  });

  it("follows the database when an instance changes status", async () => {
    const id = instanceIds[0]!;
    const before = parseExposition((await scrapeWithStableCounts()).body);
    const stopped = valueOf(before, "saas_instances", { status: "STOPPED" })!;
    await db.instance.update({ where: { id }, data: { status: "STOPPED" } });
    const { body, counts } = await scrapeWithStableCounts();
    const after = parseExposition(body);
    expect(valueOf(after, "saas_instances", { status: "STOPPED" })).toBe(counts.STOPPED);
    expect(valueOf(after, "saas_instances", { status: "RUNNING" })).toBe(counts.RUNNING);
    // This file's STOPPED row and the one it just moved there.
    expect(counts.STOPPED).toBeGreaterThanOrEqual(2);
    expect(stopped).toBeGreaterThanOrEqual(1);
  });

  it("records the duration of requests to wrapped routes", async () => {
    const { GET } = await import("@/app/api/health/route");
    const health = await GET();
    const exposition = parseExposition((await scrapeWithStableCounts()).body);
    const labels = { route: "/api/health", method: "GET", status: String(health.status) };
    expect(valueOf(exposition, "saas_http_request_duration_seconds_count", labels)).toBeGreaterThanOrEqual(1);
    expect(valueOf(exposition, "saas_http_request_duration_seconds_bucket", { ...labels, le: "+Inf" })).toBeGreaterThanOrEqual(1);
  });
});

describe("worker /metrics", () => {
  let server: WorkerMetricsServer;
  let base = "";

  beforeAll(async () => {
    server = await startWorkerMetricsServer(0, "127.0.0.1");
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.close();
  });

  it("answers 401 without the token or with a wrong one", async () => {
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
  });

  it("answers 404 off /metrics and for other methods", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await fetch(`${base}/`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/metrics/x`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST", headers: auth })).status).toBe(404);
  });

  it("answers 200 with the queue backlog read from Redis, in the Prometheus text format", async () => {
    // A job far in the future: counted as delayed, never run, removed afterwards.
    const queue = getQueue(QUEUE.maintenance);
    const job = await queue.add("metrics-test", {}, { delay: 3_600_000, jobId: `metrics-test-${Date.now()}` });
    try {
      let exposition: Exposition | undefined;
      let delayed = -1;
      for (let attempt = 0; attempt < 10 && !exposition; attempt++) {
        const before = await queue.getDelayedCount();
        const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        const parsed = parseExposition(await response.text());
        if ((await queue.getDelayedCount()) === before) [exposition, delayed] = [parsed, before];
      }
      expect(exposition).toBeDefined();
      expect(exposition!.families.get("saas_jobs_total")?.type).toBe("counter");
      expect(valueOf(exposition!, "saas_metrics_source_up", { source: "queues" })).toBe(1);
      expect(delayed).toBeGreaterThanOrEqual(1);
      expect(valueOf(exposition!, "saas_queue_jobs", { queue: QUEUE.maintenance, state: "delayed" })).toBe(delayed);
    } finally {
      await job.remove();
    }
  });
});
