import { randomUUID } from "node:crypto";
import { billingProvider } from "@/server/billing";
import { db } from "@/server/db";
import { eventually } from "./instances";
import { startPaynowStandin } from "./paynow-standin/paynow-standin";

/** The first unpaid invoice of an instance's subscription, once the billing job has opened it. */
export async function openInvoiceOf(instanceId: string, withinMs = 30_000) {
  const invoice = await eventually(async () => {
    const subscription = await db.subscription.findUnique({ where: { instanceId }, select: { id: true } });
    if (!subscription) return null;
    return db.invoice.findFirst({ where: { subscriptionIds: { has: subscription.id }, balanceCents: { gt: 0 } } });
  }, withinMs);
  if (!invoice) throw new Error(`no unpaid invoice appeared for instance ${instanceId}`);
  return invoice;
}

/**
 * Pays an instance's first invoice the way a confirmed Paynow payment does: an external payment
 * recorded with the configured billing provider, which then emits INVOICE_PAYMENT_SUCCESS.
 */
export async function payOpenInvoiceOf(instanceId: string) {
  const invoice = await openInvoiceOf(instanceId);
  await billingProvider().recordExternalPayment({
    accountId: invoice.accountId,
    invoiceId: invoice.id,
    amountCents: invoice.balanceCents,
    externalKey: `test-${randomUUID()}`,
  });
  return invoice;
}

/** The Paynow protocol stand-in where the app's PAYNOW_URL points (test env), 10x faster than Paynow's test mode. */
export function startTestPaynow(timeScale = 0.1) {
  return startPaynowStandin({
    port: Number(process.env.PAYNOW_STANDIN_PORT),
    integrationId: process.env.PAYNOW_INTEGRATION_ID!,
    integrationKey: process.env.PAYNOW_INTEGRATION_KEY!,
    merchantEmail: process.env.PAYNOW_AUTH_EMAIL,
    timeScale,
  });
}
