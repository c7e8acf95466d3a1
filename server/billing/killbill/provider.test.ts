import { describe, expect, it, vi } from "vitest";
import { BillingProviderError } from "../types";
import type { KillbillClient } from "./client";
import { createKillbillProvider } from "./provider";
import type { KbCatalog, KbInvoicePayment, KbSubscription } from "./schemas";
import { registerCallback, uploadCatalog } from "./setup";

const ACCOUNT = "2ad52f53-85ae-408a-9879-32a7e59dd03d";
const SUB = "77e23878-8b9d-403b-bf31-93003e125712";
const INVOICE = "903e55d3-8072-47f1-80fc-32857dbdbcc5";

function unexpected(name: string) {
  return () => Promise.reject(new Error(`unexpected call to ${name}`));
}

/** A KillbillClient whose every method fails unless the test overrides it. */
function fakeClient(overrides: Partial<KillbillClient> = {}): KillbillClient {
  const base: KillbillClient = {
    getAccountByExternalKey: unexpected("getAccountByExternalKey"),
    createAccount: unexpected("createAccount"),
    createSubscription: unexpected("createSubscription"),
    getSubscription: unexpected("getSubscription"),
    getSubscriptionByExternalKey: unexpected("getSubscriptionByExternalKey"),
    getAccountBundles: unexpected("getAccountBundles"),
    cancelSubscription: unexpected("cancelSubscription"),
    changePlan: unexpected("changePlan"),
    getInvoice: unexpected("getInvoice"),
    getAccountInvoices: unexpected("getAccountInvoices"),
    getInvoicePayments: unexpected("getInvoicePayments"),
    createExternalPayment: unexpected("createExternalPayment"),
    getCatalog: unexpected("getCatalog"),
    uploadCatalogXml: unexpected("uploadCatalogXml"),
    registerCallback: unexpected("registerCallback"),
    getCallbacks: unexpected("getCallbacks"),
  };
  return { ...base, ...overrides };
}

const quiet = { info: () => undefined, warn: () => undefined };

function subscription(overrides: Partial<KbSubscription> = {}): KbSubscription {
  return {
    subscriptionId: SUB,
    accountId: ACCOUNT,
    externalKey: "inst_1",
    bundleExternalKey: "inst_1",
    productCategory: "BASE",
    planName: "standard-monthly",
    phaseType: "TRIAL",
    state: "ACTIVE",
    startDate: "2025-01-01T00:00:00.000Z",
    chargedThroughDate: null,
    cancelledDate: null,
    ...overrides,
  };
}

const catalogV1: KbCatalog = {
  effectiveDate: "2025-01-01T00:00:00.000Z",
  products: [
    {
      type: "BASE",
      name: "Standard",
      plans: [
        {
          name: "standard-monthly",
          billingPeriod: "MONTHLY",
          phases: [
            { type: "TRIAL", prices: [], duration: { unit: "DAYS", number: 14 } },
            { type: "EVERGREEN", prices: [{ currency: "USD", value: 8 }], duration: { unit: "UNLIMITED", number: -1 } },
          ],
        },
      ],
    },
  ],
};

describe("listCatalogPlans", () => {
  it("caches the plans for catalogTtlMs and does not keep a failure", async () => {
    let now = 0;
    const getCatalog = vi
      .fn<KillbillClient["getCatalog"]>()
      .mockResolvedValueOnce([catalogV1])
      .mockRejectedValueOnce(new BillingProviderError("down", 503))
      .mockResolvedValueOnce([catalogV1]);
    const provider = createKillbillProvider(fakeClient({ getCatalog }), { catalogTtlMs: 1000, now: () => now, logger: quiet });

    const first = await provider.listCatalogPlans();
    expect(first).toEqual([
      { planName: "standard-monthly", productName: "Standard", currency: "USD", monthlyPriceCents: 800, trialDays: 14 },
    ]);
    now = 999;
    await provider.listCatalogPlans();
    expect(getCatalog).toHaveBeenCalledTimes(1);

    now = 1000;
    await expect(provider.listCatalogPlans()).rejects.toThrow("down");
    expect(await provider.listCatalogPlans()).toEqual(first);
    expect(getCatalog).toHaveBeenCalledTimes(3);
  });
});

describe("ensureAccount", () => {
  const customer = { id: "cust_1", email: "a@acme.test", name: "Acme", company: "Acme (Pvt) Ltd" };

  it("returns the account found by externalKey", async () => {
    const provider = createKillbillProvider(
      fakeClient({ getAccountByExternalKey: async () => ({ accountId: ACCOUNT, externalKey: "cust_1" }) }),
      { logger: quiet },
    );
    expect(await provider.ensureAccount(customer)).toBe(ACCOUNT);
  });

  it("creates a missing account in USD keyed by the customer id", async () => {
    const createAccount = vi.fn<KillbillClient["createAccount"]>().mockResolvedValue(ACCOUNT);
    const provider = createKillbillProvider(fakeClient({ getAccountByExternalKey: async () => null, createAccount }), { logger: quiet });
    expect(await provider.ensureAccount(customer)).toBe(ACCOUNT);
    expect(createAccount).toHaveBeenCalledWith({
      name: "Acme",
      email: "a@acme.test",
      externalKey: "cust_1",
      currency: "USD",
      company: "Acme (Pvt) Ltd",
    });
  });

  it("looks up again when a concurrent create wins (409)", async () => {
    const getAccountByExternalKey = vi
      .fn<KillbillClient["getAccountByExternalKey"]>()
      .mockResolvedValueOnce(null)
      .mockResolvedValueOnce({ accountId: ACCOUNT });
    const provider = createKillbillProvider(
      fakeClient({ getAccountByExternalKey, createAccount: () => Promise.reject(new BillingProviderError("exists", 409)) }),
      { logger: quiet },
    );
    expect(await provider.ensureAccount({ ...customer, company: null })).toBe(ACCOUNT);
  });
});

describe("createSubscription", () => {
  const input = { accountId: ACCOUNT, instanceId: "inst_1", planName: "standard-monthly", trial: false };

  it("returns the live subscription of the instance without creating another", async () => {
    const provider = createKillbillProvider(fakeClient({ getSubscriptionByExternalKey: async () => subscription() }), { logger: quiet });
    expect(await provider.createSubscription(input)).toBe(SUB);
  });

  it("creates keyed by the instance id, in EVERGREEN without a trial and in the catalog's phase with one", async () => {
    const createSubscription = vi.fn<KillbillClient["createSubscription"]>().mockResolvedValue(SUB);
    const provider = createKillbillProvider(
      fakeClient({
        getSubscriptionByExternalKey: async () => subscription({ state: "CANCELLED" }),
        getAccountBundles: async () => [],
        createSubscription,
      }),
      { logger: quiet },
    );
    expect(await provider.createSubscription(input)).toBe(SUB);
    expect(await provider.createSubscription({ ...input, trial: true })).toBe(SUB);
    expect(createSubscription.mock.calls).toEqual([
      [{ accountId: ACCOUNT, planName: "standard-monthly", externalKey: "inst_1", bundleExternalKey: "inst_1", phaseType: "EVERGREEN" }],
      [{ accountId: ACCOUNT, planName: "standard-monthly", externalKey: "inst_1", bundleExternalKey: "inst_1" }],
    ]);
  });

  it("returns the subscription a concurrent create made when Kill Bill rejects the key (400)", async () => {
    const getAccountBundles = vi
      .fn<KillbillClient["getAccountBundles"]>()
      .mockResolvedValueOnce([])
      .mockResolvedValueOnce([{ accountId: ACCOUNT, bundleId: "b", externalKey: "inst_1", subscriptions: [subscription({ externalKey: null })] }]);
    const provider = createKillbillProvider(
      fakeClient({
        getSubscriptionByExternalKey: async () => null,
        getAccountBundles,
        createSubscription: () => Promise.reject(new BillingProviderError("Active bundle with external key inst_1 already exists", 400)),
      }),
      { logger: quiet },
    );
    expect(await provider.createSubscription(input)).toBe(SUB);
  });

  it("rethrows a rejection when no subscription exists after all", async () => {
    const provider = createKillbillProvider(
      fakeClient({
        getSubscriptionByExternalKey: async () => null,
        getAccountBundles: async () => [],
        createSubscription: () => Promise.reject(new BillingProviderError("bad plan", 400)),
      }),
      { logger: quiet },
    );
    await expect(provider.createSubscription(input)).rejects.toThrow("bad plan");
  });

  it("refuses a subscription of the instance held by another account", async () => {
    const provider = createKillbillProvider(
      fakeClient({ getSubscriptionByExternalKey: async () => subscription({ accountId: "0f5c7a52-3d1e-4f7a-9a38-1a0d1b3e6a11" }) }),
      { logger: quiet },
    );
    await expect(provider.createSubscription(input)).rejects.toThrow("another account");
  });
});

describe("cancelSubscription and changePlan", () => {
  it("skips a cancellation already in place", async () => {
    const cancelSubscription = vi.fn<KillbillClient["cancelSubscription"]>().mockResolvedValue();
    const states = [
      subscription({ state: "CANCELLED" }),
      subscription({ cancelledDate: "2025-02-01T00:00:00.000Z" }),
      subscription({ cancelledDate: "2025-02-01T00:00:00.000Z" }),
    ];
    const provider = createKillbillProvider(
      fakeClient({ getSubscription: async () => states.shift() ?? null, cancelSubscription }),
      { logger: quiet },
    );
    await provider.cancelSubscription(SUB, "IMMEDIATE");
    await provider.cancelSubscription(SUB, "END_OF_TERM");
    await provider.cancelSubscription(SUB, "IMMEDIATE");
    expect(cancelSubscription.mock.calls).toEqual([[SUB, "IMMEDIATE"]]);
    await expect(provider.cancelSubscription(SUB, "END_OF_TERM")).rejects.toMatchObject({ status: 404 });
  });

  it("changes the plan only when it differs", async () => {
    const changePlan = vi.fn<KillbillClient["changePlan"]>().mockResolvedValue();
    const provider = createKillbillProvider(fakeClient({ getSubscription: async () => subscription(), changePlan }), { logger: quiet });
    await provider.changePlan(SUB, "standard-monthly");
    await provider.changePlan(SUB, "premium-monthly");
    expect(changePlan.mock.calls).toEqual([[SUB, "premium-monthly"]]);
  });
});

describe("recordExternalPayment", () => {
  const input = { accountId: ACCOUNT, invoiceId: INVOICE, amountCents: 850, externalKey: "paynow-42" };
  const recorded: KbInvoicePayment = { paymentId: "p", paymentExternalKey: "paynow-42", targetInvoiceId: INVOICE };

  it("records the payment in dollars against the invoice", async () => {
    const createExternalPayment = vi.fn<KillbillClient["createExternalPayment"]>().mockResolvedValue("p");
    const provider = createKillbillProvider(fakeClient({ getInvoicePayments: async () => [], createExternalPayment }), { logger: quiet });
    await provider.recordExternalPayment(input);
    expect(createExternalPayment).toHaveBeenCalledWith(INVOICE, {
      accountId: ACCOUNT,
      targetInvoiceId: INVOICE,
      purchasedAmount: 8.5,
      paymentExternalKey: "paynow-42",
    });
  });

  it("changes nothing when the key is already recorded", async () => {
    const provider = createKillbillProvider(fakeClient({ getInvoicePayments: async () => [recorded] }), { logger: quiet });
    await provider.recordExternalPayment(input);
  });

  it("succeeds when a failed call turns out to have recorded the payment", async () => {
    const getInvoicePayments = vi.fn<KillbillClient["getInvoicePayments"]>().mockResolvedValueOnce([]).mockResolvedValueOnce([recorded]);
    const provider = createKillbillProvider(
      fakeClient({ getInvoicePayments, createExternalPayment: () => Promise.reject(new BillingProviderError("timeout")) }),
      { logger: quiet },
    );
    await provider.recordExternalPayment(input);
    expect(getInvoicePayments).toHaveBeenCalledTimes(2);
  });

  it("rejects an amount that is not a positive number of cents", async () => {
    const provider = createKillbillProvider(fakeClient(), { logger: quiet });
    await expect(provider.recordExternalPayment({ ...input, amountCents: 8.5 })).rejects.toThrow(BillingProviderError);
    await expect(provider.recordExternalPayment({ ...input, amountCents: 0 })).rejects.toThrow(BillingProviderError);
  });
});

describe("setup helpers", () => {
  const xml = "<catalog><effectiveDate>2025-01-01T00:00:00+00:00</effectiveDate></catalog>";

  it("uploads a catalog version only when its effectiveDate is new", async () => {
    const uploadCatalogXml = vi.fn<KillbillClient["uploadCatalogXml"]>().mockResolvedValue();
    const catalogs = [[catalogV1], [{ ...catalogV1, effectiveDate: "2024-01-01T00:00:00.000Z" }]];
    const client = fakeClient({ getCatalog: async () => catalogs.shift() ?? [], uploadCatalogXml });
    expect(await uploadCatalog(client, xml)).toEqual({ uploaded: false, effectiveDate: "2025-01-01T00:00:00+00:00" });
    expect(await uploadCatalog(client, xml)).toEqual({ uploaded: true, effectiveDate: "2025-01-01T00:00:00+00:00" });
    expect(uploadCatalogXml).toHaveBeenCalledTimes(1);
  });

  it("uploads when the tenant has no catalog yet (4xx on read)", async () => {
    const uploadCatalogXml = vi.fn<KillbillClient["uploadCatalogXml"]>().mockResolvedValue();
    const client = fakeClient({ getCatalog: () => Promise.reject(new BillingProviderError("none", 404)), uploadCatalogXml });
    expect((await uploadCatalog(client, xml)).uploaded).toBe(true);
  });

  it("registers the callback only when it differs", async () => {
    const url = "https://cp.example.com/api/webhooks/killbill/secret";
    const register = vi.fn<KillbillClient["registerCallback"]>().mockResolvedValue();
    const callbacks = [[url], ["https://old.example.com/hook"]];
    const client = fakeClient({ getCallbacks: async () => callbacks.shift() ?? [], registerCallback: register });
    expect(await registerCallback(client, url)).toEqual({ registered: false });
    expect(await registerCallback(client, url)).toEqual({ registered: true });
    expect(register).toHaveBeenCalledWith(url);
  });
});
