import { db } from "../../db";
import { env } from "../../env";
import { logger } from "../../logger";
import { sendMail } from "../../mail/send-mail";
import { enqueueInstanceJob, JOB } from "../../queue/queues";
import type { BillingProvider } from "../../billing/types";
import { createBackup } from "../backups/manage-backups";
import { SUSPENDABLE } from "../instances/instance-status";
import { recordInstanceEvent, transitionStatus } from "../instances/transition-status";
import { isEntitled } from "./entitlement";
import { mirrorSubscription } from "./mirror";

const ACTOR = "system:billing";
const DAY_MS = 86_400_000;

const enqueue = (job: Parameters<typeof enqueueInstanceJob>[0], instanceId: string) =>
  enqueueInstanceJob(job, instanceId).catch((error: unknown) =>
    logger.warn({ err: error, instanceId, job }, "could not queue an instance job; the reconciler will"),
  );

/**
 * Re-reads the instance's subscription and invoices from the provider and decides whether it
 * may run. Returns why, for the event's result.
 */
export async function checkEntitlement(provider: BillingProvider, instanceId: string) {
  const instance = await db.instance.findUnique({
    where: { id: instanceId },
    select: { id: true, ownerId: true, subscription: { select: { id: true } }, owner: { select: { trialInstanceId: true } } },
  });
  if (!instance?.subscription) return { entitled: false, reason: "no subscription yet" };
  const subscription = await provider.getSubscription(instance.subscription.id);
  if (!subscription) return { entitled: false, reason: "the subscription does not exist at the billing provider" };
  await mirrorSubscription(provider, subscription, instance);
  const invoices = await provider.listInvoices(subscription.accountId);
  return isEntitled({ instanceId, subscription, invoices, trialInstanceId: instance.owner.trialInstanceId });
}

/** PENDING_PAYMENT -> PROVISIONING once billing confirms; a second confirmation changes nothing. */
export async function provisionIfEntitled(provider: BillingProvider, instanceId: string): Promise<string> {
  const current = await db.instance.findUnique({ where: { id: instanceId }, select: { status: true, owner: { select: { suspendedAt: true } } } });
  if (current?.status !== "PENDING_PAYMENT") return `instance already ${current?.status.toLowerCase() ?? "gone"}`;
  // An admin's suspension of the customer wins: provisioned by the sweep once it is lifted.
  if (current.owner.suspendedAt) return "not provisioned: the customer's account is suspended";
  const decision = await checkEntitlement(provider, instanceId);
  if (!decision.entitled) return `not provisioned: ${decision.reason}`;
  const moved = await transitionStatus(instanceId, {
    to: "PROVISIONING",
    from: ["PENDING_PAYMENT"],
    message: `Billing confirmed (${decision.reason}): provisioning`,
    actor: ACTOR,
  });
  if (!moved) return "instance was provisioned meanwhile";
  await enqueue(JOB.provisionInstance, instanceId);
  return `provisioning (${decision.reason})`;
}

/** A suspension for non-payment is lifted once nothing overdue is left (never an admin's). */
export async function resumeIfPaidUp(provider: BillingProvider, instanceId: string): Promise<string> {
  const instance = await db.instance.findUnique({
    where: { id: instanceId },
    select: { status: true, billingSuspendedAt: true, initializedAt: true, owner: { select: { suspendedAt: true } } },
  });
  if (!instance || instance.status !== "SUSPENDED" || !instance.billingSuspendedAt) return "nothing to resume";
  if (instance.owner.suspendedAt) return "not resumed: the customer's account is suspended by an admin";
  const decision = await checkEntitlement(provider, instanceId);
  if (!decision.entitled) return `not resumed: ${decision.reason}`;
  const next = instance.initializedAt ? ({ to: "STARTING", job: JOB.startInstance } as const) : ({ to: "PROVISIONING", job: JOB.provisionInstance } as const);
  const moved = await transitionStatus(instanceId, {
    to: next.to,
    from: ["SUSPENDED"],
    message: "Payment received: resuming",
    actor: ACTOR,
    data: { billingSuspendedAt: null },
  });
  if (!moved) return "instance changed meanwhile";
  await enqueue(next.job, instanceId);
  return "resumed";
}

/** Unpaid past the grace period: stop the instance, keep everything. */
export async function suspendForNonPayment(instanceId: string, invoiceNumber: string): Promise<boolean> {
  const instance = await db.instance.findUnique({ where: { id: instanceId }, select: { status: true, owner: { select: { email: true } }, name: true } });
  if (!instance || !SUSPENDABLE.includes(instance.status)) return false;
  const moved = await transitionStatus(instanceId, {
    to: "SUSPENDED",
    from: [instance.status],
    message: `Suspended: invoice ${invoiceNumber} is unpaid past the ${env().BILLING_GRACE_DAYS}-day grace period. Pay it to resume; your data is kept.`,
    actor: ACTOR,
    data: { billingSuspendedAt: new Date() },
  });
  if (!moved) return false;
  await enqueue(JOB.suspendInstance, instanceId);
  await notify(instance.owner.email, `Your Odoo instance ${instance.name} is suspended`, [
    `Invoice ${invoiceNumber} is still unpaid, so ${instance.name} has been stopped.`,
    `Your data is kept. Pay the invoice on ${env().APP_URL}/billing and the instance starts again.`,
  ]);
  return true;
}

/**
 * The subscription ended (cancelled, end of term): stop the instance, take a final backup and
 * delete everything after the retention period.
 */
export async function endSubscribedInstance(instanceId: string): Promise<string> {
  const instance = await db.instance.findUnique({ where: { id: instanceId }, select: { status: true, initializedAt: true, deleteAfter: true } });
  if (!instance || instance.status === "DELETING" || instance.status === "DELETED") return "instance already deleted";
  // Once ended, always ended on the same terms: a late or replayed event takes no second final
  // backup and does not push the deletion date back.
  const firstTime = !instance.deleteAfter;
  const deleteAfter = instance.deleteAfter ?? new Date(Date.now() + env().BILLING_RETENTION_DAYS * DAY_MS);
  const message = `Subscription ended: stopped; data kept until ${deleteAfter.toISOString().slice(0, 10)}`;
  if (instance.initializedAt && firstTime) {
    await createBackup(instanceId, "FINAL", ACTOR).catch((error: unknown) =>
      recordInstanceEvent(instanceId, "ERROR", `Final backup could not start: ${error instanceof Error ? error.message : String(error)}`, ACTOR),
    );
  }
  if (instance.status === "PENDING_PAYMENT") {
    const moved = await transitionStatus(instanceId, { to: "DELETING", from: ["PENDING_PAYMENT"], message: "Subscription cancelled before it was paid", actor: ACTOR });
    if (moved) await enqueue(JOB.deleteInstance, instanceId);
    return "never provisioned: deleting";
  }
  if (firstTime) await db.instance.update({ where: { id: instanceId }, data: { deleteAfter } });
  if (instance.status === "SUSPENDED") {
    await transitionStatus(instanceId, { to: "SUSPENDED", message, actor: ACTOR });
    return message;
  }
  const moved = await transitionStatus(instanceId, { to: "SUSPENDED", from: SUSPENDABLE, message, actor: ACTOR });
  if (moved) await enqueue(JOB.suspendInstance, instanceId);
  // Not suspendable right now (stopping, restoring…): the billing sweep suspends it once it is.
  return moved ? message : `${message}; the instance is ${instance.status.toLowerCase()}, it is stopped once that finishes`;
}

/** Tells every instance of an invoice and the customer that a payment failed. */
export async function warnPaymentFailed(invoice: { id: string; invoiceNumber: string; userId: string }, instanceIds: string[]) {
  await db.invoice.update({ where: { id: invoice.id }, data: { paymentFailedAt: new Date() } });
  for (const id of instanceIds) {
    await recordInstanceEvent(id, "ERROR", `Payment of invoice ${invoice.invoiceNumber} failed`, ACTOR);
  }
  const owner = await db.user.findUnique({ where: { id: invoice.userId }, select: { email: true } });
  if (owner) {
    await notify(owner.email, `Payment of invoice ${invoice.invoiceNumber} failed`, [
      `We could not collect the payment of invoice ${invoice.invoiceNumber}.`,
      `Please pay it on ${env().APP_URL}/billing within ${env().BILLING_GRACE_DAYS} days to keep your instances running.`,
    ]);
  }
}

async function notify(to: string, subject: string, lines: string[]) {
  await sendMail({ to, subject, text: lines.join("\n\n") }).catch((error: unknown) =>
    logger.warn({ err: error, subject }, "could not send a billing mail"),
  );
}
