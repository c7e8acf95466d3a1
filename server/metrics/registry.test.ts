import { EventEmitter } from "node:events";
import type { Worker } from "bullmq";
import { describe, expect, it, vi } from "vitest";
import { observeProvisioning } from "./observe-provisioning";
import { recordJobMetrics } from "./record-job-metrics";
import { platformMetrics, renderMetrics } from "./registry";
import { withHttpMetrics } from "./with-http-metrics";

/** A sample's value; `name` may carry a histogram suffix (_bucket, _count, _sum). */
async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const family = name.replace(/_(bucket|count|sum)$/, "");
  const metric = platformMetrics().registry.getSingleMetric(family) ?? platformMetrics().registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? family) === name &&
      Object.entries(labels).every(([key, expected]) => String((v.labels as Record<string, unknown>)[key]) === expected),
  )?.value;
}

describe("platform metrics registry", () => {
  it("is created once per process, even when the module is loaded again (hot reload)", async () => {
    const first = platformMetrics();
    vi.resetModules();
    const reloaded = await import("./registry");
    expect(reloaded.platformMetrics()).toBe(first);
  });

  it("renders every platform metric, with the default metrics under the saas_ prefix", async () => {
    const body = await renderMetrics({});
    for (const name of [
      "saas_instances gauge",
      "saas_provisioning_duration_seconds histogram",
      "saas_jobs_total counter",
      "saas_queue_jobs gauge",
      "saas_http_request_duration_seconds histogram",
      "saas_webhook_events_total counter",
      "saas_backup_duration_seconds histogram",
      "saas_backup_size_bytes histogram",
      "saas_backup_failures_total counter",
      "saas_process_cpu_user_seconds_total counter",
    ]) {
      expect(body).toContain(`# TYPE ${name}\n`);
    }
    expect(body).toContain("saas_backup_failures_total 0\n");
    expect(body).toMatch(/^saas_provisioning_duration_seconds_count\{outcome="error"\} \d+$/m);
  });
});

describe("observeProvisioning", () => {
  it("observes the time since PROVISIONING under the outcome of the boot", async () => {
    const before = (await value("saas_provisioning_duration_seconds_bucket", { outcome: "unhealthy", le: "60" })) ?? 0;
    const beforeFast = (await value("saas_provisioning_duration_seconds_bucket", { outcome: "unhealthy", le: "30" })) ?? 0;
    observeProvisioning("UNHEALTHY", new Date(Date.now() - 40_000));
    expect(await value("saas_provisioning_duration_seconds_bucket", { outcome: "unhealthy", le: "60" })).toBe(before + 1);
    expect(await value("saas_provisioning_duration_seconds_bucket", { outcome: "unhealthy", le: "30" })).toBe(beforeFast);
  });

  it("ignores statuses that are not an outcome of provisioning", async () => {
    const count = async () =>
      Promise.all(["running", "unhealthy", "error"].map((outcome) => value("saas_provisioning_duration_seconds_count", { outcome })));
    const before = await count();
    observeProvisioning("DELETED", new Date());
    observeProvisioning("STARTING", new Date());
    expect(await count()).toEqual(before);
  });
});

describe("recordJobMetrics", () => {
  const jobs = (queue: string, result: string) => value("saas_jobs_total", { queue, name: "do-it", result });

  it("counts completed jobs, failed jobs and failed attempts that will be retried", async () => {
    // Stands in for a BullMQ Worker: a name and the events it emits.
    const worker = Object.assign(new EventEmitter(), { name: "unit-queue" });
    recordJobMetrics(worker as unknown as Worker);
    worker.emit("completed", { name: "do-it" });
    worker.emit("completed", { name: "do-it" });
    worker.emit("failed", { name: "do-it", finishedOn: undefined }, new Error("again"));
    worker.emit("failed", { name: "do-it", finishedOn: Date.now() }, new Error("for good"));
    expect(await jobs("unit-queue", "completed")).toBe(2);
    expect(await jobs("unit-queue", "retried")).toBe(1);
    expect(await jobs("unit-queue", "failed")).toBe(1);
  });
});

describe("withHttpMetrics", () => {
  const count = (status: string, method = "POST") =>
    value("saas_http_request_duration_seconds_count", { route: "/unit", method, status });

  it("records the route, the request's method and the response's status", async () => {
    const handler = withHttpMetrics("/unit", async (request: Request) => new Response(null, { status: request.method === "POST" ? 201 : 204 }));
    const response = await handler(new Request("http://localhost/unit/123?x=1", { method: "POST" }));
    expect(response.status).toBe(201);
    expect(await count("201")).toBe(1);
  });

  it("defaults the method to GET for handlers without a request", async () => {
    const handler = withHttpMetrics("/unit", async () => new Response("ok"));
    await handler();
    expect(await count("200", "GET")).toBe(1);
  });

  it("records a throwing handler as 500 and rethrows", async () => {
    const handler = withHttpMetrics("/unit", async (_request: Request): Promise<Response> => {
      throw new Error("boom");
    });
    await expect(handler(new Request("http://localhost/unit", { method: "POST" }))).rejects.toThrow("boom");
    expect(await count("500")).toBe(1);
  });
});
