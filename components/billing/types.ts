import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;

export type BillingOverview = Outputs["billing"]["overview"];
export type Subscription = BillingOverview["subscriptions"][number];
export type Invoice = BillingOverview["invoices"][number];
export type Payment = Outputs["billing"]["payment"];

/** What the customer sees of an invoice. */
export type InvoiceState = "PAID" | "UNPAID" | "FAILED" | "VOID";

export const INVOICE_STATE_LABEL: Record<InvoiceState, string> = {
  PAID: "Paid",
  UNPAID: "Unpaid",
  FAILED: "Payment failed",
  VOID: "Void",
};

export function invoiceState(invoice: Pick<Invoice, "status" | "balanceCents" | "paymentFailedAt" | "lastPayment">): InvoiceState {
  if (invoice.status === "VOID") return "VOID";
  if (invoice.balanceCents <= 0) return "PAID";
  if (invoice.lastPayment ? invoice.lastPayment.status === "FAILED" : invoice.paymentFailedAt) return "FAILED";
  return "UNPAID";
}

/** Still to pay (the page polls while one is). */
export const isUnpaid = (invoice: Invoice) => {
  const state = invoiceState(invoice);
  return state === "UNPAID" || state === "FAILED";
};

/** What the customer sees of a subscription. */
export type SubscriptionState = "TRIAL" | "ACTIVE" | "CANCELLED";

export const SUBSCRIPTION_STATE_LABEL: Record<SubscriptionState, string> = {
  TRIAL: "Trial",
  ACTIVE: "Active",
  CANCELLED: "Cancelled",
};

/** Cancelled as soon as a cancellation is scheduled: the service still runs to the end date. */
export function subscriptionState(subscription: Pick<Subscription, "state" | "phaseType" | "cancelledDate">): SubscriptionState {
  if (subscription.state === "CANCELLED" || subscription.state === "EXPIRED" || subscription.cancelledDate) return "CANCELLED";
  return subscription.phaseType === "TRIAL" ? "TRIAL" : "ACTIVE";
}
