import { db } from "../../db";
import type { BillingProvider } from "../../billing/types";
import type { BillingEvent } from "../../generated/prisma/client";
import {
  endSubscribedInstance,
  provisionIfEntitled,
  resumeIfPaidUp,
  warnPaymentFailed,
} from "./billing-instances";
import { instanceOfSubscription, mirrorInvoice, mirrorSubscription } from "./mirror";
import { metaDataField } from "../../billing/record-billing-event";
import { handlePaynowStatusUpdate } from "./paynow-payments";
import { planLimits } from "../plans/plan-limits";

export type BillingOutcome = { status: "PROCESSED" | "IGNORED" | "REJECTED"; result: string };

const processed = (result: string): BillingOutcome => ({ status: "PROCESSED", result });
const ignored = (result: string): BillingOutcome => ({ status: "IGNORED", result });
const rejected = (result: string): BillingOutcome => ({ status: "REJECTED", result });

const SUBSCRIPTION_EVENTS = new Set(["SUBSCRIPTION_CREATION", "SUBSCRIPTION_PHASE", "SUBSCRIPTION_CHANGE", "SUBSCRIPTION_UNCANCEL", "SUBSCRIPTION_CANCEL"]);
const INVOICE_EVENTS = new Set(["INVOICE_CREATION", "INVOICE_ADJUSTMENT", "INVOICE_PAYMENT_SUCCESS", "INVOICE_PAYMENT_FAILED"]);

/**
 * The one place billing events change instances. Notifications are hints (Kill Bill's are
 * unsigned): the object is re-read from the provider before anything is done, and every step
 * is decided on the state re-read, so duplicates and out-of-order deliveries change nothing.
 */
export async function handleBillingEvent(event: BillingEvent, provider: BillingProvider): Promise<BillingOutcome> {
  if (event.source === "PAYNOW") return handlePaynowStatusUpdate(event, provider);
  const expected = provider.name === "killbill" ? "KILLBILL" : "BUILTIN";
  if (event.source !== expected) return rejected(`sent by ${event.source.toLowerCase()}, but the platform bills with ${provider.name}`);
  if (!event.objectId) return ignored(`${event.eventType} is not used by the platform`);
  if (SUBSCRIPTION_EVENTS.has(event.eventType)) return handleSubscriptionEvent(event, event.objectId, provider);
  if (INVOICE_EVENTS.has(event.eventType)) return handleInvoiceEvent(event, event.objectId, provider);
  return ignored(`${event.eventType} is not used by the platform`);
}

async function handleSubscriptionEvent(event: BillingEvent, subscriptionId: string, provider: BillingProvider): Promise<BillingOutcome> {
  const subscription = await provider.getSubscription(subscriptionId);
  if (!subscription) return rejected(`subscription ${subscriptionId} does not exist at ${provider.name}: notification not trusted`);
  const instance = subscription.externalKey
    ? await db.instance.findUnique({ where: { id: subscription.externalKey }, select: { id: true, ownerId: true, status: true } })
    : null;
  if (!instance) return ignored(`subscription ${subscriptionId} is not one of our instances`);
  await mirrorSubscription(provider, subscription, instance);

  switch (event.eventType) {
    case "SUBSCRIPTION_CANCEL": {
      const actionType = metaDataField(event.metaData, "actionType");
      if (subscription.state !== "CANCELLED") {
        return processed(`cancellation ${actionType === "REQUESTED" ? "requested" : "noted"}; takes effect ${subscription.cancelledDate ?? "at the end of the term"}`);
      }
      return processed(await endSubscribedInstance(instance.id));
    }
    case "SUBSCRIPTION_CHANGE":
      await applyPlan(instance.id, subscription.planName);
      return processed(`plan is ${subscription.planName}; ${await provisionIfEntitled(provider, instance.id)}`);
    default:
      return processed(await provisionIfEntitled(provider, instance.id));
  }
}

async function handleInvoiceEvent(event: BillingEvent, invoiceId: string, provider: BillingProvider): Promise<BillingOutcome> {
  const invoice = await provider.getInvoice(invoiceId);
  if (!invoice) return rejected(`invoice ${invoiceId} does not exist at ${provider.name}: notification not trusted`);
  if (!(await mirrorInvoice(provider, invoice))) return ignored(`invoice ${invoiceId} is not for one of our customers`);
  const instances = (await Promise.all(invoice.subscriptionIds.map((id) => instanceOfSubscription(provider, id)))).filter(
    (instance): instance is NonNullable<typeof instance> => instance !== null,
  );

  switch (event.eventType) {
    case "INVOICE_PAYMENT_SUCCESS": {
      if (invoice.balanceCents > 0) return processed(`invoice ${invoice.invoiceNumber} still owes ${invoice.balanceCents} cents`);
      const results = [];
      for (const instance of instances) {
        results.push(instance.status === "SUSPENDED" ? await resumeIfPaidUp(provider, instance.id) : await provisionIfEntitled(provider, instance.id));
      }
      return processed(`invoice ${invoice.invoiceNumber} paid; ${results.join("; ") || "no instance"}`);
    }
    case "INVOICE_PAYMENT_FAILED": {
      if (invoice.balanceCents <= 0) return processed(`invoice ${invoice.invoiceNumber} is paid after all`);
      const owner = await db.invoice.findUniqueOrThrow({ where: { id: invoice.invoiceId }, select: { userId: true } });
      await warnPaymentFailed({ id: invoice.invoiceId, invoiceNumber: invoice.invoiceNumber, userId: owner.userId }, instances.map((i) => i.id));
      return processed(`customer warned: invoice ${invoice.invoiceNumber} unpaid`);
    }
    default:
      return processed(`invoice ${invoice.invoiceNumber} recorded (${invoice.amountCents} cents, balance ${invoice.balanceCents})`);
  }
}

/** A plan change takes the new plan's limits; the container gets them at its next start. */
async function applyPlan(instanceId: string, planName: string) {
  const plan = await db.plan.findUnique({ where: { id: planName } });
  if (!plan) return;
  await db.instance.update({
    where: { id: instanceId },
    data: planLimits(plan),
  });
}
