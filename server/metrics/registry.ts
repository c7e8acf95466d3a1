import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, exponentialBuckets } from "prom-client";
import { logger } from "../logger";
import { getQueue, QUEUE, type QueueName } from "../queue/queues";
import { TimeoutError, withTimeout } from "../with-timeout";


export { checkMetricsToken } from "./check-metrics-token";

/**
 * The platform's Prometheus metrics: one registry per process (web and worker each have their
 * own), kept on globalThis so Next's hot reload and separately bundled routes share it instead
 * of registering every metric twice.
 *
 * Scrape-time gauges (instances by status, queue backlog) are refreshed by `renderMetrics`
 * before the registry is serialised, each time-boxed so a scrape never hangs on a dead
 * database or Redis; a source that did not answer leaves its gauge empty for that scrape and
 * `saas_metrics_source_up{source}` at 0.
 */
export const METRICS_PREFIX = "saas_";

/** Job states counted from BullMQ on every scrape. */
export const QUEUE_STATES = ["waiting", "active", "delayed", "failed"] as const;
export const PROVISIONING_OUTCOMES = ["running", "unhealthy", "error"] as const;
export type ProvisioningOutcome = (typeof PROVISIONING_OUTCOMES)[number];
export type MetricsSource = "instances" | "queues";

/**
 * What a scrape refreshes. The instance counts come from the caller (the web passes the domain's
 * count by status): infrastructure never reaches into the domain.
 */
export type MetricsSources = {
  instances?: () => Promise<Record<string, number>>;
  queues?: boolean;
};

const SOURCE_TIMEOUT_MS = { instances: 2_000, queues: 1_500 } satisfies Record<MetricsSource, number>;

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  const registers = [registry];

  return {
    registry,
    sourceUp: new Gauge({
      name: "saas_metrics_source_up",
      help: "1 when the last scrape read this source (database, queues), 0 when it failed or timed out.",
      labelNames: ["source"] as const,
      registers,
    }),
    instances: new Gauge({
      name: "saas_instances",
      help: "Instances by status, read from the database on scrape (DELETED included).",
      labelNames: ["status"] as const,
      registers,
    }),
    provisioningDuration: new Histogram({
      name: "saas_provisioning_duration_seconds",
      help: "Time from entering PROVISIONING to the first boot's outcome.",
      labelNames: ["outcome"] as const,
      buckets: [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600],
      registers,
    }),
    jobs: new Counter({
      name: "saas_jobs_total",
      help: "Jobs finished by the worker: completed, failed (last attempt) or retried (an attempt failed, another follows).",
      labelNames: ["queue", "name", "result"] as const,
      registers,
    }),
    queueJobs: new Gauge({
      name: "saas_queue_jobs",
      help: "Jobs in each BullMQ queue by state, read from Redis on scrape.",
      labelNames: ["queue", "state"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "saas_http_request_duration_seconds",
      help: "Duration of HTTP requests handled by the web, by route template, method and status.",
      labelNames: ["route", "method", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    webhookEvents: new Counter({
      name: "saas_webhook_events_total",
      help: "Billing webhook events received, by event type and result.",
      labelNames: ["type", "result"] as const,
      registers,
    }),
    backupDuration: new Histogram({
      name: "saas_backup_duration_seconds",
      help: "Duration of successful instance backups.",
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers,
    }),
    backupSize: new Histogram({
      name: "saas_backup_size_bytes",
      help: "Size of successful instance backups.",
      // 1 MB to 256 GB.
      buckets: exponentialBuckets(1_000_000, 4, 10),
      registers,
    }),
    backupFailures: new Counter({
      name: "saas_backup_failures_total",
      help: "Instance backups that failed.",
      registers,
    }),
  };
}

export type PlatformMetrics = ReturnType<typeof createMetrics>;

const globalForMetrics = globalThis as unknown as { saasMetrics?: PlatformMetrics };

/** This process's metrics; created once, whatever the number of module instances. */
export function platformMetrics(): PlatformMetrics {
  if (!globalForMetrics.saasMetrics) {
    const metrics = createMetrics();
    // Series that alerts rely on exist at 0 from the start, so the first failure is an increase.
    for (const outcome of PROVISIONING_OUTCOMES) metrics.provisioningDuration.zero({ outcome });
    globalForMetrics.saasMetrics = metrics;
  }
  return globalForMetrics.saasMetrics;
}


async function readQueueCounts(): Promise<{ queue: QueueName; counts: Record<string, number> }[]> {
  return Promise.all(
    Object.values(QUEUE).map(async (queue) => ({
      queue,
      counts: await getQueue(queue).getJobCounts(...QUEUE_STATES),
    })),
  );
}

const refresh: Record<MetricsSource, (metrics: PlatformMetrics, sources: MetricsSources) => Promise<void>> = {
  instances: async ({ instances }, sources) => {
    const counts = await withTimeout(sources.instances!(), SOURCE_TIMEOUT_MS.instances);
    // Reset and refill in one synchronous step: a concurrent scrape never sees half a gauge.
    instances.reset();
    for (const [status, count] of Object.entries(counts)) instances.set({ status }, count);
  },
  queues: async ({ queueJobs }) => {
    const queues = await withTimeout(readQueueCounts(), SOURCE_TIMEOUT_MS.queues);
    queueJobs.reset();
    for (const { queue, counts } of queues) {
      for (const state of QUEUE_STATES) queueJobs.set({ queue, state }, counts[state] ?? 0);
    }
  },
};

const failing = new Set<MetricsSource>();

async function refreshSource(metrics: PlatformMetrics, source: MetricsSource, sources: MetricsSources): Promise<void> {
  try {
    await refresh[source](metrics, sources);
    metrics.sourceUp.set({ source }, 1);
    if (failing.delete(source)) logger.info({ source }, "metrics source answers again");
  } catch (error) {
    // Stale numbers would look true: leave the gauge empty until the source answers again.
    (source === "instances" ? metrics.instances : metrics.queueJobs).reset();
    metrics.sourceUp.set({ source }, 0);
    if (!failing.has(source)) {
      failing.add(source);
      const reason = error instanceof TimeoutError ? error.message : ((error as { code?: unknown }).code ?? "error");
      logger.warn({ source, reason }, "metrics source failed; its gauge is empty until it answers");
    }
  }
}

/**
 * Refreshes the scrape-time gauges of `sources` (at once, each time-boxed) and returns the
 * registry in the Prometheus text exposition format.
 */
export async function renderMetrics(sources: MetricsSources): Promise<string> {
  const metrics = platformMetrics();
  const wanted: MetricsSource[] = [...(sources.instances ? ["instances" as const] : []), ...(sources.queues ? ["queues" as const] : [])];
  await Promise.all(wanted.map((source) => refreshSource(metrics, source, sources)));
  return metrics.registry.metrics();
}
