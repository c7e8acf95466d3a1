import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  catalogPlans,
  catalogXmlEffectiveDate,
  durationDays,
  idFromLocation,
  latestCatalog,
  liveSubscriptionInBundles,
  sameInstant,
  toCents,
  toInvoiceView,
  toSubscriptionView,
} from "./mapping";
import { ZKbBundle, ZKbCatalog, ZKbInvoice, ZKbSubscription, type KbCatalog } from "./schemas";

const ID = "e8877928-0226-488d-9272-07a5e66d897f";
const SUB_A = "77e23878-8b9d-403b-bf31-93003e125712";
const SUB_B = "0f5c7a52-3d1e-4f7a-9a38-1a0d1b3e6a11";

/** A plan as Kill Bill's GET /1.0/kb/catalog renders it: TRIAL (fixed $0) then EVERGREEN. */
function plan(name: string, monthly: number, trial: { unit: string; number: number } | null = { unit: "DAYS", number: 14 }) {
  const phases: unknown[] = [];
  if (trial) phases.push({ type: "TRIAL", prices: [], fixedPrices: [], duration: trial, usages: [] });
  phases.push({
    type: "EVERGREEN",
    prices: [
      { currency: "EUR", value: monthly + 1 },
      { currency: "USD", value: monthly },
    ],
    fixedPrices: [],
    duration: { unit: "UNLIMITED", number: -1 },
    usages: [],
  });
  return { name, prettyName: name, recurringBillingMode: "IN_ADVANCE", billingPeriod: "MONTHLY", phases };
}

function catalog(effectiveDate: string, products: unknown[]): KbCatalog {
  return ZKbCatalog.parse({ name: "OdooSaaS", effectiveDate, currencies: ["USD"], units: [], products, priceLists: [] });
}

const v1 = catalog("2025-01-01T00:00:00.000Z", [
  { type: "BASE", name: "Basic", prettyName: "Basic", plans: [plan("basic-monthly", 4)], included: [], available: [] },
]);
const v2 = catalog("2025-06-01T00:00:00.000Z", [
  { type: "BASE", name: "Basic", plans: [plan("basic-monthly", 5)] },
  { type: "BASE", name: "Standard", plans: [plan("standard-monthly", 8)] },
  { type: "BASE", name: "Premium", plans: [plan("premium-monthly", 19.99, null)] },
  { type: "ADD_ON", name: "Storage", plans: [plan("storage-monthly", 2)] },
]);

describe("latestCatalog", () => {
  it("picks the version with the latest effectiveDate whatever the order", () => {
    expect(latestCatalog([v2, v1])).toBe(v2);
    expect(latestCatalog([v1, v2])).toBe(v2);
  });

  it("compares instants, not strings", () => {
    const offset = catalog("2025-06-01T01:00:00+02:00", []); // 2025-05-31T23:00Z: earlier than v2
    expect(latestCatalog([v2, offset])).toBe(v2);
  });

  it("is null without versions", () => {
    expect(latestCatalog([])).toBeNull();
  });
});

describe("catalogPlans", () => {
  it("lists the BASE plans of the latest version with USD monthly cents and trial days", () => {
    const { plans, skipped } = catalogPlans([v1, v2]);
    expect(skipped).toEqual([]);
    expect(plans).toEqual([
      { planName: "basic-monthly", productName: "Basic", currency: "USD", monthlyPriceCents: 500, trialDays: 14 },
      { planName: "standard-monthly", productName: "Standard", currency: "USD", monthlyPriceCents: 800, trialDays: 14 },
      { planName: "premium-monthly", productName: "Premium", currency: "USD", monthlyPriceCents: 1999, trialDays: 0 },
    ]);
  });

  it("converts a trial in weeks and skips plans it cannot price monthly", () => {
    const annual = { ...plan("basic-annual", 50), billingPeriod: "ANNUAL" };
    const noUsd = plan("euro-monthly", 5);
    noUsd.phases = noUsd.phases.map((phase) => ({ ...(phase as object), prices: [{ currency: "EUR", value: 5 }] }));
    const noEvergreen = { name: "trial-only", billingPeriod: "MONTHLY", phases: [plan("x", 1).phases[0]] };
    const monthTrial = plan("month-trial", 5, { unit: "MONTHS", number: 1 });
    const { plans, skipped } = catalogPlans([
      catalog("2026-01-01T00:00:00Z", [
        { type: "BASE", name: "Mixed", plans: [plan("weekly-trial", 6, { unit: "WEEKS", number: 2 }), annual, noUsd, noEvergreen, monthTrial] },
      ]),
    ]);
    expect(plans).toEqual([
      { planName: "weekly-trial", productName: "Mixed", currency: "USD", monthlyPriceCents: 600, trialDays: 14 },
    ]);
    expect(skipped.map((entry) => entry.planName)).toEqual(["basic-annual", "euro-monthly", "trial-only", "month-trial"]);
    expect(skipped[0]?.reason).toContain("ANNUAL");
  });

  it("is empty for an empty catalog list", () => {
    expect(catalogPlans([])).toEqual({ plans: [], skipped: [] });
  });
});

describe("durationDays", () => {
  it("handles days, weeks and the rest", () => {
    expect(durationDays({ unit: "DAYS", number: 30 })).toBe(30);
    expect(durationDays({ unit: "WEEKS", number: 1 })).toBe(7);
    expect(durationDays({ unit: "MONTHS", number: 1 })).toBeNull();
    expect(durationDays({ unit: "UNLIMITED", number: -1 })).toBeNull();
    expect(durationDays(null)).toBeNull();
  });
});

describe("idFromLocation", () => {
  it("reads the id from an absolute Location", () => {
    expect(idFromLocation(`http://127.0.0.1:8080/1.0/kb/accounts/${ID}`)).toBe(ID);
  });

  it("reads only the path of a Location naming an internal host", () => {
    expect(idFromLocation(`http://killbill.internal.svc:8080/1.0/kb/subscriptions/${ID}`)).toBe(ID);
    expect(idFromLocation(`http://169.254.169.254/latest/meta-data/${ID}?x=1#y`)).toBe(ID);
  });

  it("accepts a relative Location, a trailing slash and a query", () => {
    expect(idFromLocation(`/1.0/kb/invoicePayments/${ID}/`)).toBe(ID);
    expect(idFromLocation(`/1.0/kb/accounts/${ID}?accountWithBalance=false`)).toBe(ID);
  });

  it("rejects a Location whose last segment is not an id", () => {
    expect(idFromLocation("http://127.0.0.1:8080/1.0/kb/catalog")).toBeNull();
    expect(idFromLocation(`http://127.0.0.1:8080/1.0/kb/accounts/${ID}%2F..%2Fadmin`)).toBeNull();
    expect(idFromLocation("http://127.0.0.1:8080/")).toBeNull();
    expect(idFromLocation("")).toBeNull();
    expect(idFromLocation(null)).toBeNull();
  });
});

describe("toCents", () => {
  it("rounds away floating point noise", () => {
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(8)).toBe(800);
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents(-0.001)).toBe(0);
    expect(Object.is(toCents(-0.001), -0)).toBe(false);
  });
});

describe("toInvoiceView", () => {
  const invoice = ZKbInvoice.parse({
    amount: 13.99,
    currency: "USD",
    status: "COMMITTED",
    creditAdj: 0,
    refundAdj: 0,
    invoiceId: ID,
    invoiceDate: "2025-01-15",
    targetDate: "2025-01-15",
    invoiceNumber: 42,
    balance: 5.99,
    accountId: "2ad52f53-85ae-408a-9879-32a7e59dd03d",
    bundleKeys: "inst_a,inst_b",
    credits: [],
    items: [
      { invoiceItemId: "i1", accountId: "a", subscriptionId: SUB_A, itemType: "RECURRING", amount: 8 },
      { invoiceItemId: "i2", accountId: "a", subscriptionId: SUB_B, itemType: "RECURRING", amount: 5.99 },
      { invoiceItemId: "i3", accountId: "a", subscriptionId: SUB_A, itemType: "FIXED", amount: 0 },
      { invoiceItemId: "i4", accountId: "a", subscriptionId: null, itemType: "CBA_ADJ", amount: 0 },
      { invoiceItemId: "i5", accountId: "a", itemType: "EXTERNAL_CHARGE", amount: 0 },
    ],
    trackingIds: [],
    isParentInvoice: false,
    auditLogs: [],
  });

  it("maps amounts to cents, the number to a string and items to distinct subscription ids", () => {
    expect(toInvoiceView(invoice)).toEqual({
      invoiceId: ID,
      accountId: "2ad52f53-85ae-408a-9879-32a7e59dd03d",
      invoiceNumber: "42",
      invoiceDate: "2025-01-15",
      amountCents: 1399,
      balanceCents: 599,
      currency: "USD",
      status: "COMMITTED",
      subscriptionIds: [SUB_A, SUB_B],
    });
  });

  it("has no subscription ids when the invoice carries no items", () => {
    expect(toInvoiceView({ ...invoice, items: undefined }).subscriptionIds).toEqual([]);
  });

  it("rejects an invoice without a status or with a non-numeric amount", () => {
    expect(ZKbInvoice.safeParse({ ...invoice, status: "PAID" }).success).toBe(false);
    expect(ZKbInvoice.safeParse({ ...invoice, amount: "lots" }).success).toBe(false);
  });
});

const subscriptionJson = {
  accountId: "2ad52f53-85ae-408a-9879-32a7e59dd03d",
  bundleId: "b",
  bundleExternalKey: "inst_acme",
  subscriptionId: SUB_A,
  externalKey: "inst_acme",
  startDate: "2025-01-01T10:00:00.000Z",
  productName: "Standard",
  productCategory: "BASE",
  billingPeriod: "MONTHLY",
  phaseType: "TRIAL",
  priceList: "DEFAULT",
  planName: "standard-monthly",
  state: "ACTIVE",
  sourceType: "NATIVE",
  cancelledDate: null,
  chargedThroughDate: "2025-01-15",
  events: [],
};

describe("toSubscriptionView", () => {
  it("keeps the fields of the view, nulls for the missing ones", () => {
    const { chargedThroughDate: _omitted, ...withoutCtd } = subscriptionJson;
    expect(toSubscriptionView(ZKbSubscription.parse(withoutCtd))).toEqual({
      subscriptionId: SUB_A,
      accountId: "2ad52f53-85ae-408a-9879-32a7e59dd03d",
      externalKey: "inst_acme",
      planName: "standard-monthly",
      phaseType: "TRIAL",
      state: "ACTIVE",
      startDate: "2025-01-01T10:00:00.000Z",
      chargedThroughDate: null,
      cancelledDate: null,
    });
  });

  it("accepts a PENDING subscription without an active plan yet", () => {
    const pending = ZKbSubscription.parse({ ...subscriptionJson, state: "PENDING", planName: null, phaseType: null });
    expect(toSubscriptionView(pending)).toMatchObject({ state: "PENDING", planName: "", phaseType: "" });
  });
});

describe("liveSubscriptionInBundles", () => {
  const cancelled = { ...subscriptionJson, subscriptionId: SUB_B, state: "CANCELLED" };
  const bundle = (externalKey: string, subscriptions: unknown[]) =>
    ZKbBundle.parse({ accountId: subscriptionJson.accountId, bundleId: "b", externalKey, subscriptions });

  it("finds the live base subscription of the bundle with the key", () => {
    const bundles = [bundle("other", [subscriptionJson]), bundle("inst_acme", [cancelled, subscriptionJson])];
    expect(liveSubscriptionInBundles(bundles, "inst_acme")?.subscriptionId).toBe(SUB_A);
  });

  it("ignores cancelled subscriptions and other keys", () => {
    expect(liveSubscriptionInBundles([bundle("inst_acme", [cancelled]), bundle("x", [subscriptionJson])], "inst_acme")).toBeNull();
  });
});

describe("catalogXmlEffectiveDate", () => {
  it("reads the effectiveDate of the repository's catalog", () => {
    const xml = readFileSync(new URL("../catalog.xml", import.meta.url), "utf8");
    expect(catalogXmlEffectiveDate(xml)).toBe("2025-01-01T00:00:00+00:00");
  });

  it("is null without one", () => {
    expect(catalogXmlEffectiveDate("<catalog/>")).toBeNull();
  });

  it("compares it with Kill Bill's JSON rendering as an instant", () => {
    expect(sameInstant("2025-01-01T00:00:00+00:00", "2025-01-01T00:00:00.000Z")).toBe(true);
    expect(sameInstant("2025-01-01T00:00:00+02:00", "2025-01-01T00:00:00.000Z")).toBe(false);
    expect(sameInstant("garbage", "garbage")).toBe(false);
  });
});
