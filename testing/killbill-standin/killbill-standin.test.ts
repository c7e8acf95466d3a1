import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InvoiceJson, NotificationJson, SubscriptionJson } from "./json-types.ts";
import { startKillbillStandin, type KillbillStandin } from "./killbill-standin.ts";

const CATALOG_XML = readFileSync(new URL("./test-catalog.xml", import.meta.url), "utf8");
const API_SECRET = "unit-test-secret";
const AUTH = { Authorization: `Basic ${Buffer.from("admin:password").toString("base64")}` };
const TENANT = { "X-Killbill-ApiKey": "odoo-saas", "X-Killbill-ApiSecret": API_SECRET };
const READ = { ...AUTH, ...TENANT };
const WRITE = { ...READ, "X-Killbill-CreatedBy": "unit-test" };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** The platform's side of the push notifications: records each POST, answers the queued statuses (then 200). */
class CallbackReceiver {
  readonly received: Received[] = [];
  private readonly statuses: number[] = [];
  private server: Server | null = null;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(this.statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/killbill/secret-in-path`;
  }

  answerNext(...statuses: number[]): void {
    this.statuses.push(...statuses);
  }

  notifications(): NotificationJson[] {
    return this.received.map((request) => JSON.parse(request.body) as NotificationJson);
  }

  clear(): void {
    this.received.length = 0;
    this.statuses.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let standin: KillbillStandin;
const receiver = new CallbackReceiver();

interface CallOptions {
  json?: unknown;
  xml?: string;
  headers?: Record<string, string>;
}

function kb(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(options.headers ?? (method === "GET" ? READ : WRITE)) };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.xml !== undefined) {
    headers["Content-Type"] = "text/xml";
    body = options.xml;
  }
  return fetch(`${standin.url}${path}`, { method, headers, body });
}

async function readJson<T>(path: string): Promise<T> {
  const response = await kb("GET", path);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

function idFrom(response: Response): string {
  expect(response.status).toBe(201);
  const id = response.headers.get("location")?.split("/").at(-1);
  if (!id) throw new Error("no Location");
  return id;
}

let keyCounter = 0;
const uniqueKey = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${(keyCounter += 1)}`;

async function createAccount(): Promise<string> {
  return idFrom(await kb("POST", "/1.0/kb/accounts", { json: { name: "Acme", externalKey: uniqueKey("cust"), currency: "USD" } }));
}

async function createSubscription(accountId: string, extra: Record<string, string> = {}): Promise<string> {
  const key = uniqueKey("inst");
  const body = { accountId, planName: "standard-monthly", externalKey: key, bundleExternalKey: key, ...extra };
  return idFrom(await kb("POST", "/1.0/kb/subscriptions?callCompletion=true&callTimeoutSec=10", { json: body }));
}

async function invoicesOf(accountId: string): Promise<InvoiceJson[]> {
  return readJson<InvoiceJson[]>(`/1.0/kb/accounts/${accountId}/invoices?includeInvoiceComponents=true`);
}

async function deliveredEvents(): Promise<NotificationJson[]> {
  await standin.waitForDeliveries();
  return receiver.notifications();
}

const eventsOf = (events: NotificationJson[], objectId: string) => events.filter((event) => event.objectId === objectId);
const actionOf = (event: NotificationJson | undefined) => (JSON.parse(event?.metaData ?? "{}") as { actionType?: string }).actionType;

beforeAll(async () => {
  await receiver.start();
  standin = await startKillbillStandin({ port: 0, apiSecret: API_SECRET, retryDelaysMs: [20, 40, 80] });
});

afterAll(async () => {
  await standin.close();
  await receiver.stop();
});

beforeEach(async () => {
  standin.reset();
  receiver.clear();
  expect((await kb("POST", `/1.0/kb/tenants/registerNotificationCallback?cb=${encodeURIComponent(receiver.url)}`)).status).toBe(201);
  expect((await kb("POST", "/1.0/kb/catalog/xml", { xml: CATALOG_XML })).status).toBe(201);
  await standin.waitForDeliveries();
  receiver.clear();
});

describe("Kill Bill stand-in: authentication and conventions", () => {
  it("refuses a call without HTTP Basic, with a wrong password, or without the tenant's headers (401)", async () => {
    expect((await kb("GET", "/1.0/kb/catalog", { headers: TENANT })).status).toBe(401);
    const wrong = { ...TENANT, Authorization: `Basic ${Buffer.from("admin:nope").toString("base64")}` };
    expect((await kb("GET", "/1.0/kb/catalog", { headers: wrong })).status).toBe(401);
    expect((await kb("GET", "/1.0/kb/catalog", { headers: AUTH })).status).toBe(401);
    expect((await kb("GET", "/1.0/kb/catalog", { headers: { ...AUTH, ...TENANT, "X-Killbill-ApiSecret": "other" } })).status).toBe(401);
    expect((await kb("GET", "/1.0/kb/catalog")).status).toBe(200);
  });

  it("refuses a write without X-Killbill-CreatedBy (400) and JSON it does not know (400)", async () => {
    const noCreatedBy = await kb("POST", "/1.0/kb/accounts", { json: { name: "Acme", externalKey: uniqueKey("cust") }, headers: READ });
    expect(noCreatedBy.status).toBe(400);
    expect(((await noCreatedBy.json()) as { message: string }).message).toContain("X-Killbill-CreatedBy");
    expect((await kb("POST", "/1.0/kb/accounts", { json: { name: "Acme", nickname: "x" } })).status).toBe(400);
    const malformed = await fetch(`${standin.url}/1.0/kb/accounts`, {
      method: "POST",
      headers: { ...WRITE, "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(standin.accounts).toHaveLength(0);
  });

  it("answers a create with 201, a Location built from the request's Host and an empty body", async () => {
    const response = await kb("POST", "/1.0/kb/accounts", { json: { name: "Acme", externalKey: uniqueKey("cust"), currency: "USD" } });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-length")).toBe("0");
    expect(await response.text()).toBe("");
    const location = response.headers.get("location") ?? "";
    expect(location).toMatch(new RegExp(`^${standin.url}/1\\.0/kb/accounts/[0-9a-f-]{36}$`));
  });

  it("answers an unknown route with a 404 JSON body", async () => {
    const response = await kb("GET", "/1.0/kb/nothing-here");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(((await response.json()) as { message: string }).message).toContain("/1.0/kb/nothing-here");
  });
});

describe("Kill Bill stand-in: tenant callback and catalog", () => {
  it("keeps one callback per tenant: a second registration replaces the first, DELETE removes it", async () => {
    const key = await readJson<{ key: string; values: string[] }>("/1.0/kb/tenants/registerNotificationCallback");
    expect(key).toEqual({ key: "PUSH_NOTIFICATION_CB", values: [receiver.url] });
    const registered = await kb("POST", `/1.0/kb/tenants/registerNotificationCallback?cb=${encodeURIComponent("http://127.0.0.1:1/other")}`);
    expect(registered.headers.get("location")).toBe(`${standin.url}/1.0/kb/tenants/registerNotificationCallback`);
    expect((await readJson<{ values: string[] }>("/1.0/kb/tenants/registerNotificationCallback")).values).toEqual(["http://127.0.0.1:1/other"]);
    expect((await kb("DELETE", "/1.0/kb/tenants/registerNotificationCallback")).status).toBe(204);
    expect((await readJson<{ values: string[] }>("/1.0/kb/tenants/registerNotificationCallback")).values).toEqual([]);
  });

  it("renders the uploaded catalog as the spec's Catalog JSON", async () => {
    const [catalog, ...others] = await readJson<Record<string, unknown>[]>("/1.0/kb/catalog");
    expect(others).toHaveLength(0);
    expect(catalog).toMatchObject({ name: "OdooSaaS", effectiveDate: "2025-01-01T00:00:00.000Z", currencies: ["USD"] });
    expect(catalog?.priceLists).toEqual([{ name: "DEFAULT", plans: ["basic-monthly", "standard-monthly", "premium-monthly"] }]);
    const products = catalog?.products as { type: string; name: string; plans: unknown[] }[];
    expect(products.map((product) => [product.type, product.name])).toEqual([
      ["BASE", "Basic"],
      ["BASE", "Standard"],
      ["BASE", "Premium"],
    ]);
    expect(products[1]?.plans).toEqual([
      {
        name: "standard-monthly",
        prettyName: "standard-monthly",
        recurringBillingMode: "IN_ADVANCE",
        billingPeriod: "MONTHLY",
        phases: [
          { type: "TRIAL", prices: [], fixedPrices: [], duration: { unit: "DAYS", number: 14 }, usages: [] },
          { type: "EVERGREEN", prices: [{ currency: "USD", value: 8 }], fixedPrices: [], duration: { unit: "UNLIMITED", number: -1 }, usages: [] },
        ],
      },
    ]);
    const xml = await kb("GET", "/1.0/kb/catalog/xml");
    expect(await xml.text()).toBe(CATALOG_XML);
  });

  it("adds a catalog version only with a later effectiveDate", async () => {
    expect((await kb("POST", "/1.0/kb/catalog/xml", { xml: CATALOG_XML })).status).toBe(400);
    const later = CATALOG_XML.replace("2025-01-01T00:00:00+00:00", "2025-06-01T00:00:00+00:00");
    expect((await kb("POST", "/1.0/kb/catalog/xml", { xml: later })).status).toBe(201);
    const versions = await readJson<{ effectiveDate: string }[]>("/1.0/kb/catalog");
    expect(versions.map((version) => version.effectiveDate)).toEqual(["2025-01-01T00:00:00.000Z", "2025-06-01T00:00:00.000Z"]);
    expect((await kb("POST", "/1.0/kb/catalog/xml", { xml: "<catalog><oops" })).status).toBe(400);
  });

  it("refuses a subscription before any catalog is uploaded (400)", async () => {
    const accountId = await createAccount();
    expect((await kb("DELETE", "/1.0/kb/catalog")).status).toBe(204);
    const response = await kb("POST", "/1.0/kb/subscriptions", { json: { accountId, planName: "standard-monthly", externalKey: uniqueKey("inst") } });
    expect(response.status).toBe(400);
    expect(standin.subscriptions).toHaveLength(0);
  });
});

describe("Kill Bill stand-in: accounts", () => {
  it("finds an account by id and by externalKey, refuses a duplicate key (409) and answers 404 for unknown ones", async () => {
    const externalKey = uniqueKey("cust");
    const accountId = idFrom(await kb("POST", "/1.0/kb/accounts", { json: { name: "Acme", externalKey, currency: "USD", email: "a@acme.test" } }));
    const byKey = await readJson<Record<string, unknown>>(`/1.0/kb/accounts?externalKey=${externalKey}`);
    expect(byKey).toMatchObject({ accountId, externalKey, name: "Acme", currency: "USD", email: "a@acme.test" });
    expect(await readJson(`/1.0/kb/accounts/${accountId}`)).toEqual(byKey);
    expect((await kb("POST", "/1.0/kb/accounts", { json: { name: "Again", externalKey, currency: "USD" } })).status).toBe(409);
    expect((await kb("GET", `/1.0/kb/accounts?externalKey=${uniqueKey("missing")}`)).status).toBe(404);
    expect((await kb("GET", "/1.0/kb/accounts/00000000-0000-0000-0000-000000000000")).status).toBe(404);
    expect((await deliveredEvents()).filter((event) => event.eventType === "ACCOUNT_CREATION")).toEqual([
      { eventType: "ACCOUNT_CREATION", accountId, objectType: "ACCOUNT", objectId: accountId, metaData: null },
    ]);
  });
});

describe("Kill Bill stand-in: subscriptions, invoices and payments", () => {
  it("starts a trial: SUBSCRIPTION_CREATION, ENTITLEMENT_CREATION, then a $0 invoice", async () => {
    const accountId = await createAccount();
    const subscriptionId = await createSubscription(accountId);
    const subscription = await readJson<SubscriptionJson>(`/1.0/kb/subscriptions/${subscriptionId}`);
    expect(subscription).toMatchObject({ accountId, planName: "standard-monthly", phaseType: "TRIAL", state: "ACTIVE", productCategory: "BASE" });
    const [invoice, ...more] = await invoicesOf(accountId);
    expect(more).toHaveLength(0);
    expect(invoice).toMatchObject({ amount: 0, balance: 0, currency: "USD", status: "COMMITTED", invoiceNumber: "1" });
    expect(invoice?.items).toMatchObject([{ itemType: "FIXED", amount: 0, subscriptionId, phaseName: "standard-monthly-trial" }]);

    const events = await deliveredEvents();
    expect(events.map((event) => event.eventType)).toEqual(["ACCOUNT_CREATION", "SUBSCRIPTION_CREATION", "ENTITLEMENT_CREATION", "INVOICE_CREATION"]);
    expect(events[1]).toEqual({
      eventType: "SUBSCRIPTION_CREATION",
      accountId,
      objectType: "SUBSCRIPTION",
      objectId: subscriptionId,
      metaData: JSON.stringify({ actionType: "EFFECTIVE", bundleExternalKey: subscription.bundleExternalKey, subscriptionChangeUndo: false }),
    });
    expect(events[3]).toMatchObject({ objectType: "INVOICE", objectId: invoice?.invoiceId });
    const push = receiver.received[0];
    expect(push?.headers["user-agent"]).toBe("KillBill/1.0");
    expect(push?.headers["content-type"]).toBe("application/json; charset=UTF-8");
    expect(Object.keys(JSON.parse(push?.body ?? "{}") as object).sort()).toEqual(["accountId", "eventType", "metaData", "objectId", "objectType"]);
  });

  it("starts in EVERGREEN when asked: one month invoiced in advance, balance 8.0", async () => {
    const accountId = await createAccount();
    const subscriptionId = await createSubscription(accountId, { phaseType: "EVERGREEN" });
    expect(await readJson<SubscriptionJson>(`/1.0/kb/subscriptions/${subscriptionId}`)).toMatchObject({ phaseType: "EVERGREEN" });
    const [invoice] = await invoicesOf(accountId);
    expect(invoice).toMatchObject({ amount: 8, balance: 8 });
    expect(invoice?.items).toMatchObject([{ itemType: "RECURRING", amount: 8, planName: "standard-monthly", phaseName: "standard-monthly-evergreen" }]);
    const detail = await readJson<InvoiceJson>(`/1.0/kb/invoices/${invoice?.invoiceId}`);
    expect(detail).toEqual(invoice);
  });

  it("refuses a second active subscription with the same key, an unknown account (404) and an unknown plan (400)", async () => {
    const accountId = await createAccount();
    const key = uniqueKey("inst");
    const body = { accountId, planName: "standard-monthly", externalKey: key, bundleExternalKey: key };
    idFrom(await kb("POST", "/1.0/kb/subscriptions", { json: body }));
    expect((await kb("POST", "/1.0/kb/subscriptions", { json: body })).status).toBe(400);
    const unknownAccount = { ...body, accountId: "00000000-0000-0000-0000-000000000000", externalKey: uniqueKey("inst") };
    expect((await kb("POST", "/1.0/kb/subscriptions", { json: unknownAccount })).status).toBe(404);
    expect((await kb("POST", "/1.0/kb/subscriptions", { json: { ...body, planName: "gold", externalKey: uniqueKey("inst") } })).status).toBe(400);
    expect(standin.subscriptions).toHaveLength(1);
  });

  it("lists shallow invoices (amount and balance 0, no items) without includeInvoiceComponents=true", async () => {
    const accountId = await createAccount();
    await createSubscription(accountId, { phaseType: "EVERGREEN" });
    const [shallow] = await readJson<InvoiceJson[]>(`/1.0/kb/accounts/${accountId}/invoices`);
    expect(shallow).toMatchObject({ amount: 0, balance: 0, items: [] });
  });

  it("records an external payment: balance 0, INVOICE_PAYMENT_SUCCESS, and nothing new for the same paymentExternalKey", async () => {
    const accountId = await createAccount();
    await createSubscription(accountId, { phaseType: "EVERGREEN" });
    const [invoice] = await invoicesOf(accountId);
    const invoiceId = invoice?.invoiceId ?? "";
    const body = { accountId, targetInvoiceId: invoiceId, purchasedAmount: 8.0, paymentExternalKey: "paynow-ref-1" };
    const path = `/1.0/kb/invoices/${invoiceId}/payments?externalPayment=true`;
    expect((await kb("POST", `/1.0/kb/invoices/${invoiceId}/payments`, { json: body })).status).toBe(400);
    expect((await kb("POST", path, { json: { ...body, paymentMethodId: "00000000-0000-0000-0000-000000000001" } })).status).toBe(400);

    const first = await kb("POST", path, { json: body });
    const paymentId = idFrom(first);
    expect(first.headers.get("location")).toBe(`${standin.url}/1.0/kb/invoicePayments/${paymentId}`);
    expect((await readJson<InvoiceJson>(`/1.0/kb/invoices/${invoiceId}`)).balance).toBe(0);
    const again = await kb("POST", path, { json: body });
    expect(again.status).toBe(201);
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect((await kb("POST", path, { json: { ...body, paymentExternalKey: "paynow-ref-2" } })).status).toBe(204);
    expect(await readJson<unknown[]>(`/1.0/kb/invoices/${invoiceId}/payments`)).toMatchObject([{ paymentId, purchasedAmount: 8, paymentExternalKey: "paynow-ref-1" }]);

    const paid = (await deliveredEvents()).filter((event) => event.eventType.endsWith("PAYMENT_SUCCESS"));
    expect(paid.map((event) => [event.eventType, event.objectType, event.objectId])).toEqual([
      ["INVOICE_PAYMENT_SUCCESS", "INVOICE", invoiceId],
      ["PAYMENT_SUCCESS", "PAYMENT", paymentId],
    ]);
    expect(JSON.parse(paid[0]?.metaData ?? "{}")).toMatchObject({
      paymentId,
      invoicePaymentType: "ATTEMPT",
      amount: 8,
      currency: "USD",
      linkedInvoicePaymentId: null,
      paymentCookieId: null,
      processedCurrency: "USD",
    });
  });

  it("ends the trial when the clock passes it: SUBSCRIPTION_PHASE, then the first paid invoice", async () => {
    const accountId = await createAccount();
    const subscriptionId = await createSubscription(accountId);
    await deliveredEvents();
    receiver.clear();

    standin.advanceClock(15);
    const events = await deliveredEvents();
    expect(events.map((event) => event.eventType)).toEqual(["SUBSCRIPTION_PHASE", "INVOICE_CREATION"]);
    expect(events[0]).toMatchObject({ objectType: "SUBSCRIPTION", objectId: subscriptionId });
    expect(actionOf(events[0])).toBe("EFFECTIVE");
    const invoices = await invoicesOf(accountId);
    expect(invoices.map((invoice) => [invoice.amount, invoice.balance])).toEqual([
      [0, 0],
      [8, 8],
    ]);
    expect(events[1]?.objectId).toBe(invoices[1]?.invoiceId);
    const subscription = await readJson<SubscriptionJson>(`/1.0/kb/subscriptions/${subscriptionId}`);
    expect(subscription.phaseType).toBe("EVERGREEN");
    expect(subscription.chargedThroughDate).toBe(invoices[1]?.items[0]?.endDate);
  });

  it("invoices the next month when the clock passes the charged-through date", async () => {
    const accountId = await createAccount();
    await createSubscription(accountId, { phaseType: "EVERGREEN" });
    standin.advanceClock(32);
    const invoices = await invoicesOf(accountId);
    expect(invoices.map((invoice) => invoice.amount)).toEqual([8, 8]);
    expect(invoices[1]?.items[0]?.startDate).toBe(invoices[0]?.items[0]?.endDate);
  });

  it("cancels END_OF_TERM: REQUESTED now, EFFECTIVE once the clock passes the paid month", async () => {
    const accountId = await createAccount();
    const subscriptionId = await createSubscription(accountId, { phaseType: "EVERGREEN" });
    const cancel = await kb("DELETE", `/1.0/kb/subscriptions/${subscriptionId}?entitlementPolicy=END_OF_TERM&billingPolicy=END_OF_TERM`);
    expect(cancel.status).toBe(204);
    const pending = await readJson<SubscriptionJson>(`/1.0/kb/subscriptions/${subscriptionId}`);
    expect(pending.state).toBe("ACTIVE");
    expect(pending.cancelledDate?.slice(0, 10)).toBe(pending.chargedThroughDate);
    const requested = eventsOf(await deliveredEvents(), subscriptionId).filter((event) => event.eventType === "SUBSCRIPTION_CANCEL");
    expect(requested.map(actionOf)).toEqual(["REQUESTED"]);

    standin.advanceClock(32);
    const cancelled = await readJson<SubscriptionJson>(`/1.0/kb/subscriptions/${subscriptionId}`);
    expect(cancelled.state).toBe("CANCELLED");
    const cancels = eventsOf(await deliveredEvents(), subscriptionId).filter((event) => event.eventType === "SUBSCRIPTION_CANCEL");
    expect(cancels.map(actionOf)).toEqual(["REQUESTED", "EFFECTIVE"]);
    expect((await invoicesOf(accountId)).map((invoice) => invoice.amount)).toEqual([8]);
    expect((await kb("DELETE", `/1.0/kb/subscriptions/${subscriptionId}?entitlementPolicy=IMMEDIATE`)).status).toBe(500);
  });

  it("pushes INVOICE_PAYMENT_FAILED and PAYMENT_FAILED for a failed payment attempt", async () => {
    const accountId = await createAccount();
    await createSubscription(accountId, { phaseType: "EVERGREEN" });
    const [invoice] = await invoicesOf(accountId);
    await deliveredEvents();
    receiver.clear();
    standin.failPayment(invoice?.invoiceId ?? "");
    const events = await deliveredEvents();
    expect(events.map((event) => [event.eventType, event.objectType])).toEqual([
      ["INVOICE_PAYMENT_FAILED", "INVOICE"],
      ["PAYMENT_FAILED", "PAYMENT"],
    ]);
    expect(JSON.parse(events[0]?.metaData ?? "{}")).toMatchObject({ invoicePaymentType: "ATTEMPT", amount: 8 });
    expect((await readJson<InvoiceJson>(`/1.0/kb/invoices/${invoice?.invoiceId}`)).balance).toBe(8);
  });
});

describe("Kill Bill stand-in: push delivery", () => {
  it("retries a push the callback refuses and records it delivered on the third attempt", async () => {
    receiver.answerNext(500, 500);
    const notification = { eventType: "INVOICE_CREATION", accountId: "a", objectType: "INVOICE", objectId: "i-1", metaData: null };
    standin.pushRaw(notification);
    await standin.waitForDeliveries();
    expect(receiver.notifications()).toEqual([notification, notification, notification]);
    const record = standin.notifications.at(-1);
    expect(record?.outcome).toBe("delivered");
    expect(record?.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);
  });

  it("drops a push after the last retry, and records pushes made without a callback", async () => {
    receiver.answerNext(503, 503, 503, 503);
    standin.pushRaw({ eventType: "BROADCAST_SERVICE", accountId: null, objectType: null, objectId: null, metaData: null });
    await standin.waitForDeliveries();
    expect(standin.notifications.at(-1)).toMatchObject({ outcome: "dropped", attempts: [{}, {}, {}, {}] });

    await kb("DELETE", "/1.0/kb/tenants/registerNotificationCallback");
    await createAccount();
    expect(standin.notifications.at(-1)).toMatchObject({ outcome: "no callback", url: null });
  });

  it("counts a callback that does not answer within the push timeout as a failed attempt", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const quick = await startKillbillStandin({ apiSecret: API_SECRET, retryDelaysMs: [], pushTimeoutMs: 100 });
    try {
      const cb = encodeURIComponent(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`);
      const registered = await fetch(`${quick.url}/1.0/kb/tenants/registerNotificationCallback?cb=${cb}`, { method: "POST", headers: WRITE });
      expect(registered.status).toBe(201);
      quick.pushRaw({ eventType: "INVOICE_CREATION", accountId: "a", objectType: "INVOICE", objectId: "i-2", metaData: null });
      await quick.waitForDeliveries();
      expect(quick.notifications[0]).toMatchObject({ outcome: "dropped", attempts: [{ status: null, error: "no answer within 100 ms" }] });
    } finally {
      await quick.close();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("Kill Bill stand-in: controls over HTTP", () => {
  it("advances the clock, fails payments, pushes raw events and lists state under /__standin/", async () => {
    const control = (method: string, path: string, body?: unknown) =>
      fetch(`${standin.url}/__standin${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const accountId = await createAccount();
    const subscriptionId = await createSubscription(accountId);
    const before = new Date(((await (await control("GET", "/clock")).json()) as { now: string }).now);
    const advanced = (await (await control("POST", "/clock/advance", { days: 15 })).json()) as { now: string };
    expect(new Date(advanced.now).getTime() - before.getTime()).toBeGreaterThanOrEqual(15 * 86_400_000);
    const subscriptions = (await (await control("GET", "/subscriptions")).json()) as SubscriptionJson[];
    expect(subscriptions).toMatchObject([{ subscriptionId, phaseType: "EVERGREEN" }]);
    const invoices = (await (await control("GET", "/invoices")).json()) as InvoiceJson[];
    expect((await control("POST", `/invoices/${invoices[1]?.invoiceId}/fail-payment`)).status).toBe(204);
    expect((await control("POST", "/invoices/unknown/fail-payment")).status).toBe(404);
    const raw = { eventType: "ACCOUNT_CHANGE", accountId, objectType: "ACCOUNT", objectId: accountId, metaData: null };
    expect((await control("POST", "/push", raw)).status).toBe(202);
    const records = (await (await control("POST", "/notifications/wait")).json()) as { notification: NotificationJson; outcome: string }[];
    expect(records.at(-1)).toMatchObject({ notification: raw, outcome: "delivered" });
    expect(records.map((record) => record.notification.eventType)).toContain("PAYMENT_FAILED");
    expect((await control("POST", "/reset")).status).toBe(204);
    expect(standin.accounts).toHaveLength(0);
  });
});
