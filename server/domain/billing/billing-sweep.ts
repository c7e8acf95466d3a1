import { billingProvider } from "../../billing";
import { advanceBuiltinBilling } from "../../billing/builtin/builtin-provider";
import type { BillingProvider } from "../../billing/types";
import { db } from "../../db";
import { env } from "../../env";
import { logger } from "../../logger";
import { enqueueBillingEvent, enqueueInstanceJob, JOB } from "../../queue/queues";
import { ACTIONS_ALLOWED } from "../instances/instance-status";
import { transitionStatus } from "../instances/transition-status";
import { provisionIfEntitled, suspendForNonPayment } from "./billing-instances";
import { instanceOfSubscription, mirrorInvoice } from "./mirror";
import { confirmPaynowPayment } from "./paynow-payments";
import { queueSubscriptionCancel, queueSubscriptionStart } from "./subscriptions";

const DAY_MS = 86_400_000;
const STUCK_MS = 60_000;
const BATCH = 100;

/**
 * The billing sweep (a job scheduler, every minute): advances the builtin billing clock,
 * suspends instances whose invoice is unpaid past the grace period, deletes instances whose
 * subscription ended past the retention period, and re-queues work that was lost (events never
 * processed, subscriptions never opened, payments not yet booked at the provider).
 */
export async function runBillingSweep(now = new Date(), provider: BillingProvider = billingProvider()) {
  const summary = { builtin: null as Awaited<ReturnType<typeof advanceBuiltinBilling>> | null, suspended: 0, deleted: 0, requeued: 0 };
  if (provider.name === "builtin") summary.builtin = await advanceBuiltinBilling(now);
  summary.suspended = await suspendOverdue(now, provider);
  summary.deleted = await deleteEnded(now);
  summary.requeued = await healLostWork(now, provider);
  if (summary.suspended || summary.deleted || summary.requeued) logger.info(summary, "billing sweep");
  return summary;
}

async function suspendOverdue(now: Date, provider: BillingProvider): Promise<number> {
  const overdueBefore = new Date(now.getTime() - env().BILLING_GRACE_DAYS * DAY_MS);
  const candidates = await db.invoice.findMany({
    where: { provider: provider.name, status: "COMMITTED", balanceCents: { gt: 0 }, invoiceDate: { lte: overdueBefore } },
    take: BATCH,
  });
  let suspended = 0;
  for (const candidate of candidates) {
    // Act on the provider's word, not on our copy: it may have been paid since.
    const invoice = await provider.getInvoice(candidate.id);
    if (!invoice) continue;
    await mirrorInvoice(provider, invoice);
    if (invoice.balanceCents <= 0 || invoice.status !== "COMMITTED") continue;
    for (const subscriptionId of invoice.subscriptionIds) {
      const instance = await instanceOfSubscription(provider, subscriptionId);
      if (instance && (await suspendForNonPayment(instance.id, invoice.invoiceNumber))) suspended++;
    }
  }
  return suspended;
}

async function deleteEnded(now: Date): Promise<number> {
  // Whatever it became meanwhile (an admin may have started it), an ended subscription's
  // instance goes once its retention is over.
  const ended = await db.instance.findMany({
    where: { status: { in: [...ACTIONS_ALLOWED.delete] }, deleteAfter: { lte: now } },
    select: { id: true, status: true },
    take: BATCH,
  });
  let deleted = 0;
  for (const instance of ended) {
    const moved = await transitionStatus(instance.id, {
      to: "DELETING",
      from: [instance.status],
      message: `Subscription ended ${env().BILLING_RETENTION_DAYS} days ago: deleting`,
      actor: "system:billing",
    });
    if (moved) {
      deleted++;
      await enqueueInstanceJob(JOB.deleteInstance, instance.id);
    }
  }
  return deleted;
}

async function healLostWork(now: Date, provider: BillingProvider): Promise<number> {
  const stuckBefore = new Date(now.getTime() - STUCK_MS);
  let requeued = 0;
  const events = await db.billingEvent.findMany({ where: { status: "RECEIVED", lastDeliveredAt: { lte: stuckBefore } }, select: { id: true }, take: BATCH });
  for (const event of events) {
    await enqueueBillingEvent(event.id);
    requeued++;
  }
  const pending = await db.instance.findMany({
    where: { status: "PENDING_PAYMENT", statusChangedAt: { lte: stuckBefore } },
    select: { id: true, subscription: { select: { id: true } } },
    take: BATCH,
  });
  for (const instance of pending) {
    if (!instance.subscription) {
      await queueSubscriptionStart(instance.id);
      requeued++;
    } else if ((await provisionIfEntitled(provider, instance.id)).startsWith("provisioning")) {
      requeued++;
    }
  }
  // A deleted instance is never billed again, even if its cancellation job was lost.
  const orphaned = await db.subscription.findMany({
    where: { state: { not: "CANCELLED" }, instance: { status: { in: ["DELETING", "DELETED"] } }, updatedAt: { lte: stuckBefore } },
    select: { instanceId: true },
    take: BATCH,
  });
  for (const subscription of orphaned) {
    await queueSubscriptionCancel(subscription.instanceId);
    requeued++;
  }
  const unbooked = await db.paynowPayment.findMany({ where: { status: "PAID", recordedAt: null }, select: { id: true }, take: BATCH });
  for (const payment of unbooked) {
    await confirmPaynowPayment(payment.id, provider);
    requeued++;
  }
  const pendingPayments = await db.paynowPayment.findMany({
    where: { status: "PENDING", pollUrl: { not: "" }, createdAt: { lte: stuckBefore, gte: new Date(now.getTime() - DAY_MS) } },
    select: { id: true },
    take: BATCH,
  });
  for (const payment of pendingPayments) {
    await confirmPaynowPayment(payment.id, provider).catch((error: unknown) => logger.warn({ err: error, paymentId: payment.id }, "Paynow poll failed"));
  }
  return requeued;
}
