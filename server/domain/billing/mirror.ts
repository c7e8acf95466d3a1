import { db } from "../../db";
import type { BillingProvider, InvoiceView, SubscriptionView } from "../../billing/types";

/**
 * Our copy of what the provider said last: the billing page, the admin views and the grace
 * sweep read it. In builtin mode the rows already are the provider's and are left alone.
 */
export async function mirrorSubscription(provider: BillingProvider, view: SubscriptionView, instance: { id: string; ownerId: string }) {
  // In builtin mode the rows are the billing system: a copy read earlier must not overwrite them.
  if (provider.name === "builtin") return;
  const data = {
    provider: provider.name,
    accountId: view.accountId,
    planName: view.planName,
    phaseType: view.phaseType,
    state: view.state,
    chargedThroughDate: view.chargedThroughDate ? new Date(view.chargedThroughDate) : null,
    cancelledDate: view.cancelledDate ? new Date(view.cancelledDate) : null,
  };
  await db.subscription.upsert({
    where: { id: view.subscriptionId },
    create: {
      id: view.subscriptionId,
      instanceId: instance.id,
      userId: instance.ownerId,
      ...(view.startDate ? { startedAt: new Date(view.startDate) } : {}),
      ...data,
    },
    update: data,
  });
}

/** Mirrors an invoice; returns false when no customer of ours has its account. */
export async function mirrorInvoice(provider: BillingProvider, view: InvoiceView): Promise<boolean> {
  if (provider.name === "builtin") return (await db.invoice.count({ where: { id: view.invoiceId } })) === 1;
  const owner = await db.user.findUnique({ where: { billingAccountId: view.accountId }, select: { id: true } });
  if (!owner) return false;
  const data = {
    provider: provider.name,
    accountId: view.accountId,
    invoiceNumber: view.invoiceNumber,
    invoiceDate: new Date(view.invoiceDate),
    amountCents: view.amountCents,
    balanceCents: view.balanceCents,
    currency: view.currency,
    status: view.status,
    subscriptionIds: view.subscriptionIds,
  };
  const existing = await db.invoice.findUnique({ where: { id: view.invoiceId }, select: { paidAt: true } });
  const paidAt = view.balanceCents <= 0 ? (existing?.paidAt ?? new Date()) : null;
  await db.invoice.upsert({
    where: { id: view.invoiceId },
    create: { id: view.invoiceId, userId: owner.id, paidAt, ...data },
    update: { ...data, paidAt },
  });
  return true;
}

/** The instance a subscription bills: our mirror first, else the provider's externalKey. */
export async function instanceOfSubscription(provider: BillingProvider, subscriptionId: string) {
  const mirrored = await db.subscription.findUnique({ where: { id: subscriptionId }, select: { instanceId: true } });
  const instanceId = mirrored?.instanceId ?? (await provider.getSubscription(subscriptionId))?.externalKey ?? null;
  if (!instanceId) return null;
  return db.instance.findUnique({
    where: { id: instanceId },
    select: { id: true, ownerId: true, status: true, initializedAt: true, billingSuspendedAt: true },
  });
}
