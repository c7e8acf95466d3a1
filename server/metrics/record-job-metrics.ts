import type { Worker } from "bullmq";
import { platformMetrics } from "./registry";

/**
 * Counts a BullMQ worker's finished jobs in `saas_jobs_total{queue,name,result}`: `completed`,
 * `failed` when the last attempt failed (the job is now in the failed set) and `retried` when
 * an attempt failed and another one follows.
 */
export function recordJobMetrics(worker: Worker): void {
  const { jobs } = platformMetrics();
  worker.on("completed", (job) => {
    jobs.inc({ queue: worker.name, name: job.name, result: "completed" });
  });
  worker.on("failed", (job) => {
    // BullMQ sets finishedOn only when it moves the job to the failed set (no retry left).
    const result = !job || job.finishedOn ? "failed" : "retried";
    jobs.inc({ queue: worker.name, name: job?.name ?? "unknown", result });
  });
}
