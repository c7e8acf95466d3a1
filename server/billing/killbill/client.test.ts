import { describe, expect, it } from "vitest";
import { BillingProviderError } from "../types";
import { createKillbillClient } from "./client";

const ID = "e8877928-0226-488d-9272-07a5e66d897f";
const PASSWORD = "pw-Very-Secret-1";
const API_SECRET = "tenant-Secret-2";

interface Seen {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  redirect: RequestRedirect | undefined;
}

/** A fake fetch answering from a list of responses, recording every request. */
function fakeKillbill(...responses: (Response | Error)[]) {
  const seen: Seen[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    seen.push({
      url: new URL(String(input)),
      method: init?.method ?? "GET",
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === "string" ? init.body : undefined,
      redirect: init?.redirect,
    });
    const next = responses.shift();
    if (next === undefined) throw new Error("unexpected request");
    if (next instanceof Error) throw next;
    return next;
  };
  const client = createKillbillClient({
    baseUrl: "http://killbill.test:8080/",
    username: "admin",
    password: PASSWORD,
    apiKey: "odoo-saas",
    apiSecret: API_SECRET,
    fetch: fetchImpl as typeof fetch,
  });
  return { client, seen };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const created = (location: string) => new Response(null, { status: 201, headers: { Location: location } });
const noContent = () => new Response(null, { status: 204 });
const kbError = (status: number, message: string) =>
  json({ className: "org.killbill.billing.X", code: 1014, message, causeClassName: null, causeMessage: null, stackTrace: [] }, status);

async function failureOf(promise: Promise<unknown>): Promise<BillingProviderError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BillingProviderError);
  return error as BillingProviderError;
}

function expectNoSecrets(message: string) {
  expect(message).not.toContain(PASSWORD);
  expect(message).not.toContain(API_SECRET);
  expect(message).not.toContain(Buffer.from(`admin:${PASSWORD}`).toString("base64"));
}

describe("createKillbillClient", () => {
  it("sends auth and tenant headers on reads, without CreatedBy", async () => {
    const { client, seen } = fakeKillbill(json({ accountId: ID, externalKey: "cust_1", name: "Acme" }));
    const account = await client.getAccountByExternalKey("cust 1&x");
    expect(account?.accountId).toBe(ID);
    const [request] = seen;
    expect(request?.url.pathname).toBe("/1.0/kb/accounts");
    expect(request?.url.searchParams.get("externalKey")).toBe("cust 1&x");
    expect(request?.headers).toMatchObject({
      Authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`,
      "X-Killbill-ApiKey": "odoo-saas",
      "X-Killbill-ApiSecret": API_SECRET,
      Accept: "application/json",
    });
    expect(request?.headers["X-Killbill-CreatedBy"]).toBeUndefined();
    expect(request?.redirect).toBe("manual");
  });

  it("returns null on 404 for the documented reads, and for ids that are not UUIDs without a call", async () => {
    const { client, seen } = fakeKillbill(kbError(404, "no account"), kbError(404, "no subscription"), kbError(404, "no invoice"));
    expect(await client.getAccountByExternalKey("cust_missing")).toBeNull();
    expect(await client.getSubscription(ID)).toBeNull();
    expect(await client.getInvoice(ID)).toBeNull();
    expect(await client.getSubscription("../accounts")).toBeNull();
    expect(await client.getInvoice("not-an-id")).toBeNull();
    expect(seen).toHaveLength(3);
  });

  it("creates an account and reads its id from a Location naming an internal host, without following it", async () => {
    const { client, seen } = fakeKillbill(created(`http://10.0.0.7:8080/1.0/kb/accounts/${ID}`));
    const id = await client.createAccount({ name: "Acme", email: "a@acme.test", externalKey: "cust_1", currency: "USD" });
    expect(id).toBe(ID);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.headers).toMatchObject({ "X-Killbill-CreatedBy": "odoo-saas", "Content-Type": "application/json" });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ name: "Acme", email: "a@acme.test", externalKey: "cust_1", currency: "USD" });
  });

  it("fails clearly when a create answers without a usable Location", async () => {
    const { client } = fakeKillbill(new Response(null, { status: 201 }));
    const error = await failureOf(client.createAccount({ name: "A", email: "a@a.test", externalKey: "k", currency: "USD" }));
    expect(error.message).toContain("POST /1.0/kb/accounts");
    expect(error.message).toContain("Location");
  });

  it("creates a subscription waiting for completion", async () => {
    const { client, seen } = fakeKillbill(created(`/1.0/kb/subscriptions/${ID}`));
    const body = { accountId: ID, planName: "standard-monthly", externalKey: "inst_1", bundleExternalKey: "inst_1", phaseType: "EVERGREEN" as const };
    expect(await client.createSubscription(body)).toBe(ID);
    expect(seen[0]?.url.pathname).toBe("/1.0/kb/subscriptions");
    expect(Object.fromEntries(seen[0]?.url.searchParams ?? [])).toEqual({ callCompletion: "true", callTimeoutSec: "10" });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual(body);
  });

  it("cancels with both policies and changes plan with a PUT, encoding ids", async () => {
    const { client, seen } = fakeKillbill(noContent(), noContent());
    await client.cancelSubscription("a/b?c", "IMMEDIATE");
    await client.changePlan(ID, "premium-monthly");
    expect(seen[0]?.method).toBe("DELETE");
    expect(seen[0]?.url.pathname).toBe("/1.0/kb/subscriptions/a%2Fb%3Fc");
    expect(Object.fromEntries(seen[0]?.url.searchParams ?? [])).toEqual({ entitlementPolicy: "IMMEDIATE", billingPolicy: "IMMEDIATE" });
    expect(seen[0]?.headers["X-Killbill-CreatedBy"]).toBe("odoo-saas");
    expect(seen[1]?.method).toBe("PUT");
    expect(JSON.parse(seen[1]?.body ?? "")).toEqual({ planName: "premium-monthly" });
  });

  it("asks for invoice items when listing an account's invoices", async () => {
    const { client, seen } = fakeKillbill(json([]));
    expect(await client.getAccountInvoices(ID)).toEqual([]);
    expect(seen[0]?.url.pathname).toBe(`/1.0/kb/accounts/${ID}/invoices`);
    expect(seen[0]?.url.searchParams.get("includeInvoiceComponents")).toBe("true");
  });

  it("records an external payment without a payment method; 201 and 204 both succeed", async () => {
    const { client, seen } = fakeKillbill(created(`http://internal/1.0/kb/invoicePayments/${ID}`), noContent());
    const body = { accountId: ID, targetInvoiceId: ID, purchasedAmount: 8, paymentExternalKey: "paynow-123" };
    expect(await client.createExternalPayment(ID, body)).toBe(ID);
    expect(await client.createExternalPayment(ID, body)).toBeNull();
    expect(seen[0]?.url.pathname).toBe(`/1.0/kb/invoices/${ID}/payments`);
    expect(seen[0]?.url.searchParams.get("externalPayment")).toBe("true");
    expect(JSON.parse(seen[0]?.body ?? "")).not.toHaveProperty("paymentMethodId");
  });

  it("uploads catalog XML as text/xml", async () => {
    const { client, seen } = fakeKillbill(created("http://internal/1.0/kb/catalog"));
    await client.uploadCatalogXml("<catalog/>");
    expect(seen[0]?.url.pathname).toBe("/1.0/kb/catalog/xml");
    expect(seen[0]?.headers["Content-Type"]).toBe("text/xml");
    expect(seen[0]?.body).toBe("<catalog/>");
  });

  it("registers and reads the push-notification callback", async () => {
    const url = "https://cp.example.com/api/webhooks/killbill/s3cr3t-path";
    const { client, seen } = fakeKillbill(created("http://internal/1.0/kb/tenants/registerNotificationCallback"), json({ key: "PUSH_NOTIFICATION_CB", values: [url] }));
    await client.registerCallback(url);
    expect(seen[0]?.url.searchParams.get("cb")).toBe(url);
    expect(await client.getCallbacks()).toEqual([url]);
  });

  it("throws BillingProviderError with method, path, status and Kill Bill's message, never secrets", async () => {
    const { client } = fakeKillbill(kbError(400, "Active bundle with external key inst_1 already exists"));
    const error = await failureOf(
      client.createSubscription({ accountId: ID, planName: "p", externalKey: "inst_1", bundleExternalKey: "inst_1" }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "Kill Bill POST /1.0/kb/subscriptions answered HTTP 400: Active bundle with external key inst_1 already exists",
    );
    expectNoSecrets(error.message);
  });

  it("keeps the callback URL (a secret) out of a registration error", async () => {
    const secretUrl = "https://cp.example.com/api/webhooks/killbill/s3cr3t-path";
    const { client } = fakeKillbill(kbError(400, `bad callback ${secretUrl}`));
    const error = await failureOf(client.registerCallback(secretUrl));
    expect(error.message).toBe("Kill Bill POST /1.0/kb/tenants/registerNotificationCallback answered HTTP 400");
  });

  it("treats a redirect as an error", async () => {
    const { client } = fakeKillbill(new Response(null, { status: 302, headers: { Location: "http://elsewhere/" } }));
    const error = await failureOf(client.getCatalog());
    expect(error.status).toBe(302);
  });

  it("rejects a malformed body naming the field", async () => {
    const { client } = fakeKillbill(json({ subscriptionId: ID, accountId: ID, planName: "p", phaseType: "TRIAL", state: "SLEEPING" }));
    const error = await failureOf(client.getSubscription(ID));
    expect(error.message).toContain("GET /1.0/kb/subscriptions/");
    expect(error.message).toContain("state");
  });

  it("rejects a body that is not JSON", async () => {
    const { client } = fakeKillbill(new Response("<html>proxy error</html>", { status: 200 }));
    const error = await failureOf(client.getCatalog());
    expect(error.message).toBe("Kill Bill GET /1.0/kb/catalog answered a body that is not JSON");
  });

  it("reports an unreachable Kill Bill without the URL", async () => {
    const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const timedOut = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    const { client } = fakeKillbill(refused, timedOut);
    expect((await failureOf(client.getCatalog())).message).toBe("Kill Bill GET /1.0/kb/catalog failed: unreachable (ECONNREFUSED)");
    expect((await failureOf(client.getCatalog())).message).toBe("Kill Bill GET /1.0/kb/catalog failed: no answer within 10000 ms");
  });
});
