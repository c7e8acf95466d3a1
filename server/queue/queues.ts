import { Queue } from "bullmq";
import { z } from "zod";
import { logger } from "../logger";
import { createRedis } from "./connection";

/**
 * Queue and job names, payload schemas and enqueue helpers: the contract between web and worker.
 * Payloads carry ids only, validated by the same schema on both sides.
 */
export const QUEUE = {
  instances: "instances",
  maintenance: "maintenance",
  backups: "backups",
  billing: "billing",
} as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export const JOB = {
  workerHeartbeat: "worker-heartbeat",
  reconcileInstances: "reconcile-instances",
  refillSpareDatabases: "refill-spare-databases",
  scheduleBackups: "schedule-backups",
  verifyBackups: "verify-backups",
  runBackup: "run-backup",
  restoreBackup: "restore-backup",
  provisionInstance: "provision-instance",
  startInstance: "start-instance",
  stopInstance: "stop-instance",
  restartInstance: "restart-instance",
  deleteInstance: "delete-instance",
  suspendInstance: "suspend-instance",
  processBillingEvent: "process-billing-event",
  startSubscription: "start-subscription",
  cancelSubscription: "cancel-subscription",
  billingSweep: "billing-sweep",
  checkOdooPasswords: "check-odoo-passwords",
  pollPaynowPayment: "poll-paynow-payment",
} as const;
export type InstanceJobName =
  | typeof JOB.provisionInstance
  | typeof JOB.startInstance
  | typeof JOB.stopInstance
  | typeof JOB.restartInstance
  | typeof JOB.deleteInstance
  | typeof JOB.suspendInstance;

export const ZWorkerHeartbeatPayload = z.object({}).strict();
export const ZReconcilePayload = z.object({}).strict();
export const ZRefillSparesPayload = z.object({}).strict();
export const ZScheduleBackupsPayload = z.object({}).strict();
export const ZVerifyBackupsPayload = z.object({}).strict();
export const ZRunBackupPayload = z.object({ backupId: z.string().min(1) }).strict();
export const ZRestoreBackupPayload = z.object({ restoreId: z.string().min(1) }).strict();
export const ZBillingEventPayload = z.object({ billingEventId: z.string().min(1) }).strict();
export const ZPaynowPollPayload = z.object({ paymentId: z.string().min(1), attempt: z.number().int().min(0) }).strict();
export const ZBillingSweepPayload = z.object({}).strict();
export const ZCheckOdooPasswordsPayload = z.object({}).strict();
/** Instance jobs carry the id only; the processor re-reads everything else. */
export const ZInstanceJobPayload = z.object({ instanceId: z.string().min(1) }).strict();
export type TInstanceJobPayload = z.infer<typeof ZInstanceJobPayload>;

/** Redis key where the worker records that it is alive (read by /api/health). */
export const WORKER_HEARTBEAT_KEY = "saas:worker:heartbeat";
export const WORKER_HEARTBEAT_EVERY_MS = 10_000;

export const ZWorkerHeartbeat = z.object({
  at: z.iso.datetime(),
  pid: z.number().int(),
  engineVersion: z.string(),
  queues: z.array(z.string()),
});
export type TWorkerHeartbeat = z.infer<typeof ZWorkerHeartbeat>;

/** Default job options: keep failures as evidence, retry with exponential backoff. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: false,
} as const;

const queues = new Map<QueueName, Queue>();

export function getQueue(name: QueueName): Queue {
  let queue = queues.get(name);
  if (!queue) {
    queue = new Queue(name, {
      connection: createRedis("queue"),
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    queues.set(name, queue);
  }
  return queue;
}

/**
 * Adds a job under a deterministic id. A finished (completed or failed) job with the same id
 * is removed first, so retrying after a failure is possible; a waiting or active one wins,
 * so a double enqueue runs the work once.
 */
export async function enqueueUnique(
  queue: Queue,
  name: string,
  data: object,
  jobId: string,
  options: { delayMs?: number } = {},
): Promise<void> {
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === "completed" || state === "failed") await existing.remove();
    else return;
  }
  await queue.add(name, data, { jobId, delay: options.delayMs });
}

/** After a spare is taken, refill shortly, once: a burst of claims coalesces into one job. */
const SPARE_REFILL_DELAY_MS = 5_000;
export function enqueueSpareRefill(): Promise<void> {
  return enqueueUnique(getQueue(QUEUE.maintenance), JOB.refillSpareDatabases, {}, JOB.refillSpareDatabases, {
    delayMs: SPARE_REFILL_DELAY_MS,
  });
}

/** Jobs on one instance; the job id makes a duplicate enqueue of the same step a no-op. */
export function enqueueInstanceJob(name: InstanceJobName, instanceId: string): Promise<void> {
  return enqueueUnique(getQueue(QUEUE.instances), name, { instanceId }, `${name}-${instanceId}`);
}

/** Backups run on their own queue, so a long dump never holds up starts and stops. */
export function enqueueBackup(backupId: string): Promise<void> {
  return enqueueUnique(getQueue(QUEUE.backups), JOB.runBackup, { backupId }, `${JOB.runBackup}-${backupId}`);
}

export function enqueueRestore(restoreId: string): Promise<void> {
  return enqueueUnique(getQueue(QUEUE.backups), JOB.restoreBackup, { restoreId }, `${JOB.restoreBackup}-${restoreId}`);
}

/**
 * Billing events are processed one at a time per event id; a redelivery while queued is a no-op.
 * A just-stored event has no job yet: it is added in one Redis call (the webhook answers Kill
 * Bill inline, so this path is kept short).
 */
export async function enqueueBillingEvent(billingEventId: string, options: { fresh?: boolean } = {}): Promise<void> {
  const jobId = `${JOB.processBillingEvent}-${billingEventId}`;
  const data = { billingEventId };
  if (options.fresh) {
    await getQueue(QUEUE.billing).add(JOB.processBillingEvent, data, { jobId });
    return;
  }
  await enqueueUnique(getQueue(QUEUE.billing), JOB.processBillingEvent, data, jobId);
}

/** Subscription calls to the billing provider, retried with backoff when it is unreachable. */
export function enqueueSubscriptionJob(name: typeof JOB.startSubscription | typeof JOB.cancelSubscription, instanceId: string): Promise<void> {
  return enqueueUnique(getQueue(QUEUE.billing), name, { instanceId }, `${name}-${instanceId}`);
}

/** Opens the instance's subscription; a lost enqueue is repaired by the billing sweep. */
export function queueSubscriptionStart(instanceId: string): Promise<void> {
  return enqueueSubscriptionJob(JOB.startSubscription, instanceId).catch((error: unknown) =>
    logger.warn({ err: error, instanceId }, "could not queue the subscription; the billing sweep will"),
  );
}

/** Cancels the instance's subscription; a lost enqueue is repaired by the billing sweep. */
export function queueSubscriptionCancel(instanceId: string): Promise<void> {
  return enqueueSubscriptionJob(JOB.cancelSubscription, instanceId).catch((error: unknown) =>
    logger.warn({ err: error, instanceId }, "could not queue the cancellation; the billing sweep will"),
  );
}

/** Polls a Paynow transaction: express checkout results may never be posted to us. */
export function enqueuePaynowPoll(paymentId: string, attempt: number, delayMs: number): Promise<void> {
  return enqueueUnique(
    getQueue(QUEUE.billing),
    JOB.pollPaynowPayment,
    { paymentId, attempt },
    `${JOB.pollPaynowPayment}-${paymentId}-${attempt}`,
    { delayMs },
  );
}
