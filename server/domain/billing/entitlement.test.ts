import { describe, expect, it } from "vitest";
import type { InvoiceView, SubscriptionView } from "../../billing/types";
import { isEntitled } from "./entitlement";

const subscription = (over: Partial<SubscriptionView> = {}): SubscriptionView => ({
  subscriptionId: "sub-1",
  accountId: "acct-1",
  externalKey: "inst-1",
  planName: "standard-monthly",
  phaseType: "EVERGREEN",
  state: "ACTIVE",
  startDate: null,
  chargedThroughDate: null,
  cancelledDate: null,
  ...over,
});
const invoice = (over: Partial<InvoiceView> = {}): InvoiceView => ({
  invoiceId: "inv-1",
  accountId: "acct-1",
  invoiceNumber: "1",
  invoiceDate: "2026-11-29",
  amountCents: 800,
  balanceCents: 0,
  currency: "USD",
  status: "COMMITTED",
  subscriptionIds: ["sub-1"],
  ...over,
});
const check = (sub: SubscriptionView, invoices: InvoiceView[], trialInstanceId: string | null = null) =>
  isEntitled({ instanceId: "inst-1", subscription: sub, invoices, trialInstanceId }).entitled;

describe("isEntitled", () => {
  it("grants the customer's one recorded trial, and no other trial", () => {
    const trial = subscription({ phaseType: "TRIAL" });
    expect(check(trial, [invoice({ amountCents: 0 })], "inst-1")).toBe(true);
    expect(check(trial, [invoice({ amountCents: 0 })], "inst-2")).toBe(false);
    expect(check(trial, [invoice({ amountCents: 0 })], null)).toBe(false);
  });

  it("grants a paid plan only when its invoices are paid", () => {
    expect(check(subscription(), [invoice({ balanceCents: 800 })])).toBe(false);
    expect(check(subscription(), [invoice()])).toBe(true);
    expect(check(subscription(), [invoice(), invoice({ invoiceId: "inv-2", balanceCents: 800 })])).toBe(false);
  });

  it("ignores other subscriptions' and void invoices, and needs at least one paid invoice", () => {
    expect(check(subscription(), [invoice({ subscriptionIds: ["sub-2"] })])).toBe(false);
    expect(check(subscription(), [invoice({ status: "VOID" })])).toBe(false);
    expect(check(subscription(), [invoice(), invoice({ invoiceId: "x", balanceCents: 800, status: "VOID" })])).toBe(true);
  });

  it("refuses cancelled subscriptions and subscriptions of another instance", () => {
    expect(check(subscription({ state: "CANCELLED" }), [invoice()])).toBe(false);
    expect(check(subscription({ externalKey: "inst-9" }), [invoice()])).toBe(false);
  });
});
