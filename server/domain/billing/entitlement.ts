import type { InvoiceView, SubscriptionView } from "../../billing/types";

/**
 * May this instance be provisioned (or resumed)? Only with billing confirmation: an ACTIVE
 * subscription that is either in its TRIAL phase and is the customer's one recorded trial, or
 * whose invoices are all paid (and at least one exists). Pure: the caller re-fetches both from
 * the billing provider first.
 */
export function isEntitled(input: {
  instanceId: string;
  subscription: SubscriptionView;
  invoices: InvoiceView[];
  trialInstanceId: string | null;
}): { entitled: boolean; reason: string } {
  const { subscription, instanceId } = input;
  if (subscription.externalKey !== instanceId) return { entitled: false, reason: "the subscription belongs to another instance" };
  if (subscription.state !== "ACTIVE") return { entitled: false, reason: `the subscription is ${subscription.state.toLowerCase()}` };
  const own = input.invoices.filter((invoice) => invoice.status !== "VOID" && invoice.subscriptionIds.includes(subscription.subscriptionId));
  const unpaid = own.filter((invoice) => invoice.balanceCents > 0);
  if (subscription.phaseType === "TRIAL") {
    return input.trialInstanceId === instanceId
      ? { entitled: true, reason: "free trial" }
      : { entitled: false, reason: "a trial subscription for an instance that is not the customer's recorded trial" };
  }
  if (unpaid.length > 0) return { entitled: false, reason: `invoice ${unpaid[0]!.invoiceNumber} is unpaid` };
  if (own.some((invoice) => invoice.amountCents > 0)) return { entitled: true, reason: "paid" };
  return { entitled: false, reason: "no paid invoice yet" };
}
