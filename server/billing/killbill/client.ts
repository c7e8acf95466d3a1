import { z } from "zod";
import { BillingProviderError } from "../types";
import { idFromLocation, isKillbillId } from "./mapping";
import {
  ZKbAccount,
  ZKbBundle,
  ZKbCatalog,
  ZKbError,
  ZKbInvoice,
  ZKbInvoicePayment,
  ZKbSubscription,
  ZKbTenantKeyValue,
  type KbAccount,
  type KbBundle,
  type KbCatalog,
  type KbInvoice,
  type KbInvoicePayment,
  type KbSubscription,
} from "./schemas";

/**
 * A small typed client for the parts of Kill Bill's REST API (0.24) the platform uses, on the
 * global fetch. Every call sends basic auth and the tenant headers; every write also sends
 * X-Killbill-CreatedBy. Create calls return the new id read from the Location header's last path
 * segment (the Location itself is never requested: it may name an internal host). Non-2xx answers
 * throw BillingProviderError naming method, path and status; reads documented as "404 -> null"
 * return null instead. Error messages never carry credentials, headers or query strings.
 */

export interface KillbillClientConfig {
  baseUrl: string;
  username: string;
  password: string;
  apiKey: string;
  apiSecret: string;
  /** X-Killbill-CreatedBy of every write (Kill Bill's audit log). */
  createdBy?: string;
  /** Per-call timeout (connection, headers and body). */
  timeoutMs?: number;
  /** Defaults to the global fetch; tests pass a fake. */
  fetch?: typeof fetch;
}

export type KbCancelPolicy = "END_OF_TERM" | "IMMEDIATE";
export type KbPhaseType = "TRIAL" | "DISCOUNT" | "FIXEDTERM" | "EVERGREEN";

export interface KbAccountInput {
  name: string;
  email: string;
  externalKey: string;
  currency: string;
  company?: string;
}

export interface KbSubscriptionInput {
  accountId: string;
  planName: string;
  externalKey: string;
  bundleExternalKey: string;
  phaseType?: KbPhaseType;
}

export interface KbExternalPaymentInput {
  accountId: string;
  targetInvoiceId: string;
  /** Decimal amount in the invoice's currency (8.00, not 800). */
  purchasedAmount: number;
  paymentExternalKey: string;
}

export interface KillbillClient {
  getAccountByExternalKey(externalKey: string): Promise<KbAccount | null>;
  createAccount(body: KbAccountInput): Promise<string>;
  createSubscription(body: KbSubscriptionInput): Promise<string>;
  getSubscription(subscriptionId: string): Promise<KbSubscription | null>;
  getSubscriptionByExternalKey(externalKey: string): Promise<KbSubscription | null>;
  getAccountBundles(accountId: string, externalKey?: string): Promise<KbBundle[]>;
  cancelSubscription(subscriptionId: string, policy: KbCancelPolicy): Promise<void>;
  changePlan(subscriptionId: string, planName: string): Promise<void>;
  getInvoice(invoiceId: string): Promise<KbInvoice | null>;
  getAccountInvoices(accountId: string): Promise<KbInvoice[]>;
  getInvoicePayments(invoiceId: string): Promise<KbInvoicePayment[]>;
  /** Returns the payment id, or null on 204 ("nothing to pay"). */
  createExternalPayment(invoiceId: string, body: KbExternalPaymentInput): Promise<string | null>;
  getCatalog(): Promise<KbCatalog[]>;
  uploadCatalogXml(xml: string): Promise<void>;
  registerCallback(url: string): Promise<void>;
  getCallbacks(): Promise<string[]>;
}

export const DEFAULT_CREATED_BY = "odoo-saas";
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Kill Bill waits up to this long for the invoice of a new subscription (callCompletion). */
const CREATE_SUBSCRIPTION_WAIT_SEC = 10;
const MAX_DETAIL_CHARS = 200;

type Method = "GET" | "POST" | "PUT" | "DELETE";

interface Call {
  method: Method;
  /** Path with its ids already encoded. */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  xml?: string;
  timeoutMs?: number;
  /** The query holds a secret (the callback URL): Kill Bill's error text is left out too. */
  secretQuery?: boolean;
}

const enc = encodeURIComponent;

function label(call: Call): string {
  return `Kill Bill ${call.method} ${call.path}`;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/** Why a request failed below HTTP, without the URL (undici's messages may include it). */
function networkReason(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause && typeof cause === "object" && "code" in cause ? String(cause.code) : null;
  return code ? `unreachable (${code})` : "unreachable";
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
    .join("; ");
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** ": <Kill Bill's error message>" when the body is Kill Bill's error JSON, else "". */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const parsed = ZKbError.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.message ? `: ${parsed.data.message.slice(0, MAX_DETAIL_CHARS)}` : "";
  } catch {
    return "";
  }
}

export function createKillbillClient(config: KillbillClientConfig): KillbillClient {
  const base = config.baseUrl.replace(/\/+$/, "");
  const createdBy = config.createdBy ?? DEFAULT_CREATED_BY;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchImpl = config.fetch ?? fetch;
  const authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString("base64")}`;

  function headersFor(call: Call): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: authorization,
      "X-Killbill-ApiKey": config.apiKey,
      "X-Killbill-ApiSecret": config.apiSecret,
      Accept: call.xml === undefined ? "application/json" : "*/*",
    };
    if (call.method !== "GET") {
      headers["X-Killbill-CreatedBy"] = createdBy;
      headers["Content-Type"] = call.xml === undefined ? "application/json" : "text/xml";
    }
    return headers;
  }

  async function send(call: Call): Promise<Response> {
    const url = new URL(base + call.path);
    for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
    const ms = call.timeoutMs ?? timeoutMs;
    try {
      return await fetchImpl(url, {
        method: call.method,
        headers: headersFor(call),
        body: call.xml ?? (call.json === undefined ? undefined : JSON.stringify(call.json)),
        // A redirect would carry the tenant secret elsewhere: treat it as an error instead.
        redirect: "manual",
        signal: AbortSignal.timeout(ms),
      });
    } catch (error) {
      throw new BillingProviderError(`${label(call)} failed: ${networkReason(error, ms)}`);
    }
  }

  async function failure(call: Call, response: Response): Promise<BillingProviderError> {
    const detail = call.secretQuery ? "" : await errorDetail(response);
    if (call.secretQuery) await discard(response);
    return new BillingProviderError(`${label(call)} answered HTTP ${response.status}${detail}`, response.status);
  }

  async function parse<S extends z.ZodType>(call: Call, response: Response, schema: S): Promise<z.output<S>> {
    if (!response.ok) throw await failure(call, response);
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch (error) {
      const reason = isTimeout(error) ? `no complete answer within ${call.timeoutMs ?? timeoutMs} ms` : "a body that is not JSON";
      throw new BillingProviderError(`${label(call)} answered ${reason}`, response.status);
    }
    const result = schema.safeParse(body);
    if (!result.success) {
      throw new BillingProviderError(`${label(call)} answered an unexpected body: ${describeIssues(result.error)}`, response.status);
    }
    return result.data;
  }

  async function read<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
    return parse(call, await send(call), schema);
  }

  async function readOrNull<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S> | null> {
    const response = await send(call);
    if (response.status === 404) {
      await discard(response);
      return null;
    }
    return parse(call, response, schema);
  }

  async function write(call: Call): Promise<Response> {
    const response = await send(call);
    if (!response.ok) throw await failure(call, response);
    await discard(response);
    return response;
  }

  async function create(call: Call): Promise<string> {
    const response = await write(call);
    const id = idFromLocation(response.headers.get("location"));
    if (id === null) {
      throw new BillingProviderError(`${label(call)} answered HTTP ${response.status} without an id in its Location header`, response.status);
    }
    return id;
  }

  return {
    getAccountByExternalKey: (externalKey) =>
      readOrNull({ method: "GET", path: "/1.0/kb/accounts", query: { externalKey } }, ZKbAccount),

    createAccount: (body) => create({ method: "POST", path: "/1.0/kb/accounts", json: body }),

    createSubscription: (body) =>
      create({
        method: "POST",
        path: "/1.0/kb/subscriptions",
        query: { callCompletion: "true", callTimeoutSec: String(CREATE_SUBSCRIPTION_WAIT_SEC) },
        json: body,
        // Kill Bill holds the answer for up to callTimeoutSec: do not give up before it does.
        timeoutMs: timeoutMs + CREATE_SUBSCRIPTION_WAIT_SEC * 1000,
      }),

    getSubscription: async (subscriptionId) =>
      isKillbillId(subscriptionId)
        ? readOrNull({ method: "GET", path: `/1.0/kb/subscriptions/${enc(subscriptionId)}` }, ZKbSubscription)
        : null,

    getSubscriptionByExternalKey: (externalKey) =>
      readOrNull({ method: "GET", path: "/1.0/kb/subscriptions", query: { externalKey } }, ZKbSubscription),

    getAccountBundles: async (accountId, externalKey) => {
      const query = externalKey === undefined ? undefined : { externalKey };
      const call: Call = { method: "GET", path: `/1.0/kb/accounts/${enc(accountId)}/bundles`, query };
      // 404: no such account, or (with externalKey) no such bundle.
      return (await readOrNull(call, z.array(ZKbBundle))) ?? [];
    },

    cancelSubscription: async (subscriptionId, policy) => {
      await write({
        method: "DELETE",
        path: `/1.0/kb/subscriptions/${enc(subscriptionId)}`,
        query: { entitlementPolicy: policy, billingPolicy: policy },
      });
    },

    changePlan: async (subscriptionId, planName) => {
      await write({ method: "PUT", path: `/1.0/kb/subscriptions/${enc(subscriptionId)}`, json: { planName } });
    },

    getInvoice: async (invoiceId) =>
      isKillbillId(invoiceId) ? readOrNull({ method: "GET", path: `/1.0/kb/invoices/${enc(invoiceId)}` }, ZKbInvoice) : null,

    getAccountInvoices: (accountId) =>
      read(
        {
          method: "GET",
          path: `/1.0/kb/accounts/${enc(accountId)}/invoices`,
          // Without includeInvoiceComponents the list carries no items (hence no subscription ids).
          query: { includeInvoiceComponents: "true" },
        },
        z.array(ZKbInvoice),
      ),

    getInvoicePayments: (invoiceId) =>
      read({ method: "GET", path: `/1.0/kb/invoices/${enc(invoiceId)}/payments` }, z.array(ZKbInvoicePayment)),

    createExternalPayment: async (invoiceId, body) => {
      const call: Call = {
        method: "POST",
        path: `/1.0/kb/invoices/${enc(invoiceId)}/payments`,
        query: { externalPayment: "true" },
        // No paymentMethodId: Kill Bill rejects one on an external payment.
        json: body,
      };
      const response = await write(call);
      if (response.status === 204) return null;
      return idFromLocation(response.headers.get("location"));
    },

    getCatalog: () => read({ method: "GET", path: "/1.0/kb/catalog" }, z.array(ZKbCatalog)),

    uploadCatalogXml: async (xml) => {
      await write({ method: "POST", path: "/1.0/kb/catalog/xml", xml });
    },

    registerCallback: async (url) => {
      await write({
        method: "POST",
        path: "/1.0/kb/tenants/registerNotificationCallback",
        query: { cb: url },
        secretQuery: true,
      });
    },

    getCallbacks: async () => {
      const value = await readOrNull({ method: "GET", path: "/1.0/kb/tenants/registerNotificationCallback" }, ZKbTenantKeyValue);
      return value?.values ?? [];
    },
  };
}
