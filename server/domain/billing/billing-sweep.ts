import { billingProvider } from "../../billing";
import { advanceBuiltinBilling } from "../../billing/builtin/builtin-provider";
import type { BillingProvider } from "../../billing/types";
import { db } from "../../db";
import { env } from "../../env";
import { logger } from "../../logger";
import { enqueueBillingEvent, enqueueInstanceJob, JOB, queueSubscriptionCancel, queueSubscriptionStart } from "../../queue/queues";
import { ACTIONS_ALLOWED, SUSPENDABLE } from "../instances/instance-status";
import { transitionStatus } from "../instances/transition-status";
import { endSubscribedInstance, provisionIfEntitled, resumeIfPaidUp, suspendForNonPayment } from "./billing-instances";
import { instanceOfSubscription, mirrorInvoice } from "./mirror";
import { confirmPaynowPayment } from "./paynow-payments";

const DAY_MS = 86_400_000;
const STUCK_MS = 60_000;
/** A failed event is tried again after this long, for a day (Kill Bill does not resend after our 200). */
const FAILED_RETRY_MS = 5 * 60_000;
const BATCH = 100;

/**
 * The billing sweep (a job scheduler, every minute): advances the builtin billing clock,
 * suspends instances whose invoice is unpaid past the grace period, deletes instances whose
 * subscription ended past the retention period, and repairs what a lost or failed step left:
 * events never processed, subscriptions never opened or never cancelled, ended instances still
 * running, suspensions for invoices paid since, payments not yet booked at the provider.
 * Each item is handled on its own: one that fails is logged and retried at the next sweep.
 */
export async function runBillingSweep(now = new Date(), provider: BillingProvider = billingProvider()) {
  const summary = { builtin: null as Awaited<ReturnType<typeof advanceBuiltinBilling>> | null, suspended: 0, deleted: 0, repaired: 0, failed: 0 };
  if (provider.name === "builtin") summary.builtin = await advanceBuiltinBilling(now);
  const each = async <T>(items: T[], step: string, work: (item: T) => Promise<boolean>) => {
    let done = 0;
    for (const item of items) {
      try {
        if (await work(item)) done++;
      } catch (error) {
        summary.failed++;
        logger.warn({ err: error, step, item }, "billing sweep step failed; retried at the next sweep");
      }
    }
    return done;
  };
  const overdueBefore = new Date(now.getTime() - env().BILLING_GRACE_DAYS * DAY_MS);
  const stuckBefore = new Date(now.getTime() - STUCK_MS);

  // Unpaid past the grace period, oldest first, only while one of its instances still runs.
  const overdue = await db.invoice.findMany({
    where: { provider: provider.name, status: "COMMITTED", balanceCents: { gt: 0 }, invoiceDate: { lte: overdueBefore } },
    orderBy: { invoiceDate: "asc" },
    take: BATCH * 5,
  });
  const live = await db.subscription.findMany({
    where: { id: { in: overdue.flatMap((invoice) => invoice.subscriptionIds) }, instance: { status: { in: [...SUSPENDABLE] } } },
    select: { id: true },
  });
  const liveIds = new Set(live.map((s) => s.id));
  summary.suspended = await each(
    overdue.filter((invoice) => invoice.subscriptionIds.some((id) => liveIds.has(id))).slice(0, BATCH),
    "suspend-overdue",
    (invoice) => suspendOverdue(invoice.id, provider),
  );

  // Retention over: delete, whatever it became meanwhile.
  const ended = await db.instance.findMany({
    where: { status: { in: [...ACTIONS_ALLOWED.delete] }, deleteAfter: { lte: now } },
    select: { id: true, status: true },
    take: BATCH,
  });
  summary.deleted = await each(ended, "delete-ended", async (instance) => {
    const moved = await transitionStatus(instance.id, {
      to: "DELETING",
      from: [instance.status],
      message: `Subscription ended ${env().BILLING_RETENTION_DAYS} days ago: deleting`,
      actor: "system:billing",
    });
    if (moved) await enqueueInstanceJob(JOB.deleteInstance, instance.id);
    return moved;
  });

  summary.repaired = await repair(now, stuckBefore, provider, each);
  if (summary.suspended || summary.deleted || summary.repaired || summary.failed) logger.info(summary, "billing sweep");
  return summary;
}

async function suspendOverdue(invoiceId: string, provider: BillingProvider): Promise<boolean> {
  // Act on the provider's word, not on our copy: it may have been paid since.
  const invoice = await provider.getInvoice(invoiceId);
  if (!invoice) return false;
  await mirrorInvoice(provider, invoice);
  if (invoice.balanceCents <= 0 || invoice.status !== "COMMITTED") return false;
  let suspended = false;
  for (const subscriptionId of invoice.subscriptionIds) {
    const instance = await instanceOfSubscription(provider, subscriptionId);
    if (instance && (await suspendForNonPayment(instance.id, invoice.invoiceNumber))) suspended = true;
  }
  return suspended;
}

type Each = <T>(items: T[], step: string, work: (item: T) => Promise<boolean>) => Promise<number>;

async function repair(now: Date, stuckBefore: Date, provider: BillingProvider, each: Each): Promise<number> {
  let repaired = 0;
  const events = await db.billingEvent.findMany({
    where: {
      OR: [
        { status: "RECEIVED", lastDeliveredAt: { lte: stuckBefore } },
        { status: "FAILED", processedAt: { lte: new Date(now.getTime() - FAILED_RETRY_MS) }, receivedAt: { gte: new Date(now.getTime() - DAY_MS) } },
      ],
    },
    orderBy: { receivedAt: "asc" },
    select: { id: true },
    take: BATCH,
  });
  repaired += await each(events, "requeue-event", async (event) => {
    await enqueueBillingEvent(event.id);
    return true;
  });

  const pending = await db.instance.findMany({
    where: { status: "PENDING_PAYMENT", statusChangedAt: { lte: stuckBefore } },
    orderBy: { statusChangedAt: "asc" },
    select: { id: true, subscription: { select: { id: true } } },
    take: BATCH,
  });
  repaired += await each(pending, "pending-instance", async (instance) => {
    if (!instance.subscription) {
      await queueSubscriptionStart(instance.id);
      return true;
    }
    return (await provisionIfEntitled(provider, instance.id)).startsWith("provisioning");
  });

  // Suspended for an invoice that has been paid since (the payment event failed, or came while
  // an admin had the customer suspended).
  const billingSuspended = await db.instance.findMany({
    where: { status: "SUSPENDED", billingSuspendedAt: { not: null }, deleteAfter: null, statusChangedAt: { lte: stuckBefore } },
    select: { id: true },
    take: BATCH,
  });
  repaired += await each(billingSuspended, "resume-paid", async (instance) => (await resumeIfPaidUp(provider, instance.id)) === "resumed");

  // Ended subscriptions whose instance could not be stopped at the time (stopping, restoring…).
  const endedRunning = await db.instance.findMany({
    where: { deleteAfter: { not: null }, status: { in: SUSPENDABLE.filter((s) => s !== "SUSPENDED") } },
    select: { id: true },
    take: BATCH,
  });
  repaired += await each(endedRunning, "stop-ended", async (instance) => (await endSubscribedInstance(instance.id)).startsWith("Subscription ended"));

  // A deleted instance is never billed again, even if its cancellation job was lost.
  const orphaned = await db.subscription.findMany({
    where: { state: { not: "CANCELLED" }, instance: { status: { in: ["DELETING", "DELETED"] } }, updatedAt: { lte: stuckBefore } },
    select: { instanceId: true },
    take: BATCH,
  });
  repaired += await each(orphaned, "cancel-orphaned", async (subscription) => {
    await queueSubscriptionCancel(subscription.instanceId);
    return true;
  });

  const payments = await db.paynowPayment.findMany({
    where: {
      OR: [
        { status: "PAID", recordedAt: null },
        { status: "PENDING", pollUrl: { not: "" }, createdAt: { lte: stuckBefore, gte: new Date(now.getTime() - DAY_MS) } },
      ],
    },
    orderBy: { createdAt: "asc" },
    select: { id: true },
    take: BATCH,
  });
  repaired += await each(payments, "settle-payment", async (payment) => (await confirmPaynowPayment(payment.id, provider)).settled);
  return repaired;
}
