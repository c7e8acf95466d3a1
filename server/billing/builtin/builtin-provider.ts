import { randomUUID } from "node:crypto";
import { db } from "../../db";
import { recordBillingEvent } from "../record-billing-event";
import { repositoryCatalog } from "../catalog";
import type {
  BillingProvider,
  CatalogPlan,
  CreateSubscriptionInput,
  CustomerRef,
  ExternalPaymentInput,
  InvoiceView,
  SubscriptionState,
  SubscriptionView,
} from "../types";
import { addDays, addMonths, isoDate } from "./dates";

/**
 * Billing without Kill Bill: the same lifecycle in our own tables (Subscription, Invoice,
 * InvoicePayment) with the repository catalog's prices and trial phase, emitting the events
 * Kill Bill would push. The clock advances in advanceBuiltinBilling (the billing sweep).
 */
const PROVIDER = "builtin";

function planOf(planName: string): CatalogPlan {
  const plan = repositoryCatalog().find((p) => p.planName === planName);
  if (!plan) throw new Error(`plan ${planName} is not in the catalog`);
  return plan;
}

function emit(eventType: string, objectType: string, objectId: string, accountId: string, metaData: object | null = null) {
  return recordBillingEvent({
    source: "BUILTIN",
    eventType,
    objectType,
    objectId,
    accountId,
    metaData: metaData ? JSON.stringify(metaData) : null,
  });
}

const subscriptionMeta = (actionType: "EFFECTIVE" | "REQUESTED", instanceId: string) => ({
  actionType,
  bundleExternalKey: instanceId,
  subscriptionChangeUndo: false,
});

/** Creates an invoice for one subscription's term and emits INVOICE_CREATION. */
async function invoiceTerm(subscription: { id: string; userId: string; accountId: string }, amountCents: number, at: Date) {
  const invoice = await db.invoice.create({
    data: {
      id: randomUUID(),
      provider: PROVIDER,
      accountId: subscription.accountId,
      userId: subscription.userId,
      invoiceNumber: `B-${isoDate(at).replaceAll("-", "")}-${randomUUID().slice(0, 8).toUpperCase()}`,
      invoiceDate: at,
      amountCents,
      balanceCents: amountCents,
      subscriptionIds: [subscription.id],
      paidAt: amountCents === 0 ? at : null,
    },
  });
  await emit("INVOICE_CREATION", "INVOICE", invoice.id, subscription.accountId);
  return invoice;
}

function toSubscriptionView(row: {
  id: string;
  accountId: string;
  instanceId: string;
  planName: string;
  phaseType: string;
  state: string;
  startedAt: Date;
  chargedThroughDate: Date | null;
  cancelledDate: Date | null;
}): SubscriptionView {
  return {
    subscriptionId: row.id,
    accountId: row.accountId,
    externalKey: row.instanceId,
    planName: row.planName,
    phaseType: row.phaseType,
    state: row.state as SubscriptionState,
    startDate: row.startedAt.toISOString(),
    chargedThroughDate: row.chargedThroughDate?.toISOString() ?? null,
    cancelledDate: row.cancelledDate?.toISOString() ?? null,
  };
}

function toInvoiceView(row: {
  id: string;
  accountId: string;
  invoiceNumber: string;
  invoiceDate: Date;
  amountCents: number;
  balanceCents: number;
  currency: string;
  status: string;
  subscriptionIds: string[];
}): InvoiceView {
  return {
    invoiceId: row.id,
    accountId: row.accountId,
    invoiceNumber: row.invoiceNumber,
    invoiceDate: row.invoiceDate.toISOString(),
    amountCents: row.amountCents,
    balanceCents: row.balanceCents,
    currency: row.currency,
    status: row.status as InvoiceView["status"],
    subscriptionIds: row.subscriptionIds,
  };
}

export const builtinProvider: BillingProvider = {
  name: PROVIDER,

  listCatalogPlans: async () => repositoryCatalog(),

  async ensureAccount(customer: CustomerRef) {
    // Our account id is the customer id itself.
    await db.user.updateMany({ where: { id: customer.id, billingAccountId: null }, data: { billingAccountId: customer.id } });
    return customer.id;
  },

  async createSubscription(input: CreateSubscriptionInput) {
    const existing = await db.subscription.findUnique({ where: { instanceId: input.instanceId }, select: { id: true } });
    if (existing) return existing.id;
    const plan = planOf(input.planName);
    const instance = await db.instance.findUniqueOrThrow({ where: { id: input.instanceId }, select: { ownerId: true } });
    const now = new Date();
    const trial = input.trial && plan.trialDays > 0;
    const subscription = await db.subscription.create({
      data: {
        id: randomUUID(),
        provider: PROVIDER,
        instanceId: input.instanceId,
        userId: instance.ownerId,
        accountId: input.accountId,
        planName: plan.planName,
        phaseType: trial ? "TRIAL" : "EVERGREEN",
        state: "ACTIVE",
        startedAt: now,
        chargedThroughDate: trial ? addDays(now, plan.trialDays) : addMonths(now, 1),
      },
    });
    await emit("SUBSCRIPTION_CREATION", "SUBSCRIPTION", subscription.id, input.accountId, subscriptionMeta("EFFECTIVE", input.instanceId));
    // Like Kill Bill: a $0 invoice for the trial, or the first month billed in advance.
    await invoiceTerm(subscription, trial ? 0 : plan.monthlyPriceCents, now);
    return subscription.id;
  },

  async getSubscription(subscriptionId) {
    const row = await db.subscription.findFirst({ where: { id: subscriptionId, provider: PROVIDER } });
    return row ? toSubscriptionView(row) : null;
  },

  async cancelSubscription(subscriptionId, policy) {
    const row = await db.subscription.findFirst({ where: { id: subscriptionId, provider: PROVIDER } });
    if (!row || row.state === "CANCELLED") return;
    const now = new Date();
    if (policy === "IMMEDIATE" || !row.chargedThroughDate || row.chargedThroughDate <= now) {
      await db.subscription.update({ where: { id: row.id }, data: { state: "CANCELLED", cancelledDate: now } });
      await emit("SUBSCRIPTION_CANCEL", "SUBSCRIPTION", row.id, row.accountId, subscriptionMeta("EFFECTIVE", row.instanceId));
      return;
    }
    await db.subscription.update({ where: { id: row.id }, data: { cancelledDate: row.chargedThroughDate } });
    await emit("SUBSCRIPTION_CANCEL", "SUBSCRIPTION", row.id, row.accountId, subscriptionMeta("REQUESTED", row.instanceId));
  },

  async changePlan(subscriptionId, planName) {
    planOf(planName);
    const row = await db.subscription.update({ where: { id: subscriptionId }, data: { planName } });
    await emit("SUBSCRIPTION_CHANGE", "SUBSCRIPTION", row.id, row.accountId, subscriptionMeta("EFFECTIVE", row.instanceId));
  },

  async getInvoice(invoiceId) {
    const row = await db.invoice.findFirst({ where: { id: invoiceId, provider: PROVIDER } });
    return row ? toInvoiceView(row) : null;
  },

  async listInvoices(accountId) {
    const rows = await db.invoice.findMany({ where: { accountId, provider: PROVIDER }, orderBy: { invoiceDate: "desc" } });
    return rows.map(toInvoiceView);
  },

  async recordExternalPayment(input: ExternalPaymentInput) {
    const payment = await db.$transaction(async (tx) => {
      if (await tx.invoicePayment.findUnique({ where: { externalKey: input.externalKey } })) return null;
      const invoice = await tx.invoice.findFirst({ where: { id: input.invoiceId, provider: PROVIDER } });
      if (!invoice) throw new Error(`invoice ${input.invoiceId} does not exist`);
      if (invoice.balanceCents <= 0) return null; // nothing to pay
      const created = await tx.invoicePayment.create({
        data: { invoiceId: invoice.id, externalKey: input.externalKey, amountCents: input.amountCents },
      });
      const balanceCents = Math.max(0, invoice.balanceCents - input.amountCents);
      await tx.invoice.update({
        where: { id: invoice.id },
        data: { balanceCents, ...(balanceCents === 0 ? { paidAt: new Date() } : {}) },
      });
      return { ...created, accountId: invoice.accountId };
    });
    if (!payment) return;
    await emit("INVOICE_PAYMENT_SUCCESS", "INVOICE", payment.invoiceId, payment.accountId, {
      paymentId: payment.id,
      invoicePaymentType: "ATTEMPT",
      paymentDate: payment.createdAt.toISOString(),
      amount: payment.amountCents / 100,
      currency: "USD",
      linkedInvoicePaymentId: null,
      paymentCookieId: null,
      processedCurrency: "USD",
    });
  },
};

/**
 * The builtin billing clock: trials that ended move to EVERGREEN and get their first paid
 * invoice; paid terms that ended get the next invoice; END_OF_TERM cancellations take effect.
 * Idempotent: each step moves chargedThroughDate forward or the state to CANCELLED.
 */
export async function advanceBuiltinBilling(now = new Date()): Promise<{ phased: number; invoiced: number; cancelled: number }> {
  const counts = { phased: 0, invoiced: 0, cancelled: 0 };
  const ending = await db.subscription.findMany({
    where: { provider: PROVIDER, state: "ACTIVE", cancelledDate: { lte: now } },
  });
  for (const row of ending) {
    const { count } = await db.subscription.updateMany({ where: { id: row.id, state: "ACTIVE" }, data: { state: "CANCELLED" } });
    if (count === 1) {
      counts.cancelled++;
      await emit("SUBSCRIPTION_CANCEL", "SUBSCRIPTION", row.id, row.accountId, subscriptionMeta("EFFECTIVE", row.instanceId));
    }
  }
  const due = await db.subscription.findMany({
    where: { provider: PROVIDER, state: "ACTIVE", chargedThroughDate: { lte: now } },
  });
  for (const row of due) {
    const plan = planOf(row.planName);
    const termStart = row.chargedThroughDate ?? now;
    const { count } = await db.subscription.updateMany({
      where: { id: row.id, chargedThroughDate: row.chargedThroughDate },
      data: { phaseType: "EVERGREEN", chargedThroughDate: addMonths(termStart, 1) },
    });
    if (count !== 1) continue;
    if (row.phaseType === "TRIAL") {
      counts.phased++;
      await emit("SUBSCRIPTION_PHASE", "SUBSCRIPTION", row.id, row.accountId, subscriptionMeta("EFFECTIVE", row.instanceId));
    }
    counts.invoiced++;
    await invoiceTerm(row, plan.monthlyPriceCents, termStart);
  }
  return counts;
}
