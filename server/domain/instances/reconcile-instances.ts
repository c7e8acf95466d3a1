import { db } from "../../db";
import { env } from "../../env";
import type { InstanceStatus } from "../../generated/prisma/enums";
import { logger } from "../../logger";
import { enqueueInstanceJob, enqueueRestore, getQueue, JOB, QUEUE, type InstanceJobName } from "../../queue/queues";
import { containerRuntime } from "../../runtime";
import type { ContainerState } from "../../runtime/container-runtime";
import { OBSERVED_FIELDS, observeInstance } from "./observe-instance";
import { transitionStatus } from "./transition-status";

/**
 * How long an instance may sit in a job-owned status before the sweep enqueues its job again.
 * Job ids are deterministic, so enqueueing while the job still waits or runs changes nothing:
 * the sweep only revives work whose enqueue was lost (Redis down) or whose worker died.
 */
const STUCK_AFTER_MS: Partial<Record<InstanceStatus, number>> = {
  PROVISIONING: 2 * 60_000,
  DELETING: 2 * 60_000,
  STOPPING: 2 * 60_000,
  STARTING: 2 * 60_000,
  RESTARTING: 2 * 60_000,
};
const RETRY_JOB: Partial<Record<InstanceStatus, InstanceJobName>> = {
  PROVISIONING: JOB.provisionInstance,
  DELETING: JOB.deleteInstance,
  STOPPING: JOB.stopInstance,
  STARTING: JOB.startInstance,
  RESTARTING: JOB.restartInstance,
};
/**
 * A restore in place streams a whole database: give it longer before reviving it. Its job id is
 * the restore's, so enqueueing again while it runs changes nothing.
 */
const RESTORE_STUCK_AFTER_MS = 5 * 60_000;
const PROBE_CONCURRENCY = 10;

export type ReconcileReport = {
  checked: number;
  changed: number;
  requeued: number;
  orphans: string[];
  durationMs: number;
};

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * One pass over the fleet: compare every instance with its real container (one list call to
 * the engine), fix drift, re-enqueue work stuck past its deadline, report orphans (containers
 * labelled as ours without a live instance).
 */
export async function reconcileInstances(): Promise<ReconcileReport> {
  const started = performance.now();
  const [instances, containers] = await Promise.all([
    db.instance.findMany({
      where: { status: { notIn: ["DELETED", "PENDING_PAYMENT"] } },
      select: OBSERVED_FIELDS,
    }),
    containerRuntime().listManagedContainers(),
  ]);
  const byInstance = new Map<string, ContainerState>();
  for (const container of containers) if (container.instanceId) byInstance.set(container.instanceId, container);

  let changed = 0;
  let requeued = 0;
  await mapLimit(instances, PROBE_CONCURRENCY, async (instance) => {
    try {
      const container = byInstance.get(instance.id) ?? null;
      const stuckAfter = STUCK_AFTER_MS[instance.status];
      const job = RETRY_JOB[instance.status];
      const stuck = stuckAfter !== undefined && Date.now() - instance.statusChangedAt.getTime() > stuckAfter;
      // A booting instance whose container runs is the observer's business (RUNNING/UNHEALTHY);
      // one without a started container has lost its job.
      const booting = instance.status === "STARTING" || instance.status === "RESTARTING";
      if (job && stuck && (!booting || !container || container.status === "created")) {
        await enqueueInstanceJob(job, instance.id);
        requeued++;
        return;
      }
      if (instance.status === "RESTORING") {
        if (Date.now() - instance.statusChangedAt.getTime() > RESTORE_STUCK_AFTER_MS) {
          if (await reviveRestore(instance.id, container)) requeued++;
          else changed++;
        }
        return;
      }
      if (instance.status === "PROVISIONING" || instance.status === "DELETING") return;
      const result = await observeInstance(instance.id, {
        container,
        actor: "system:reconciler",
        instance,
      });
      if (result?.changed) changed++;
    } catch (error) {
      logger.error({ err: error, instanceId: instance.id }, "reconcile failed for one instance");
    }
  });

  const live = new Set(instances.map((instance) => instance.id));
  const orphans = containers
    .filter((container) => !container.instanceId || !live.has(container.instanceId))
    .map((container) => container.name);
  if (orphans.length > 0) logger.warn({ orphans }, "containers labelled saas.managed have no live instance");

  const report = { checked: instances.length, changed, requeued, orphans, durationMs: Math.round(performance.now() - started) };
  logger.info({ ...report, orphans: orphans.length }, "reconcile pass done");
  return report;
}

/**
 * An instance RESTORING past its deadline: re-enqueue its unfinished in-place restore (true), or,
 * when no restore is left to run (a lost request, a finished restore that died before settling
 * the status), put the instance back to what its container says (false); a restore whose job
 * failed for good ends FAILED with the instance in ERROR (false).
 */
async function reviveRestore(instanceId: string, container: ContainerState | null): Promise<boolean> {
  const pending = await db.backupRestore.findFirst({
    where: { targetInstanceId: instanceId, inPlace: true, status: { in: ["PENDING", "RUNNING"] } },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  if (pending) {
    // A restore whose job failed for good (it crashed the worker on every attempt) is not run
    // again and again: the instance shows ERROR with the reason, for an admin to look at.
    const job = await getQueue(QUEUE.backups).getJob(`${JOB.restoreBackup}-${pending.id}`);
    if (job && (await job.getState()) === "failed") {
      const reason = `The restore failed on every attempt (${(job.failedReason || "the worker stopped").slice(0, 300)}); an admin must look at this instance`;
      await db.backupRestore.update({ where: { id: pending.id }, data: { status: "FAILED", failureReason: reason, finishedAt: new Date() } });
      await transitionStatus(instanceId, { to: "ERROR", from: ["RESTORING"], message: reason, actor: "system:reconciler" });
      return false;
    }
    await enqueueRestore(pending.id);
    return true;
  }
  await transitionStatus(instanceId, {
    to: container?.running ? "RUNNING" : "STOPPED",
    from: ["RESTORING"],
    message: "No restore is running for this instance any more; status taken from its container",
    actor: "system:reconciler",
  });
  return false;
}

export const reconcileEveryMs = () => env().RECONCILE_EVERY_SECONDS * 1000;
