import { accountJson, createAccount, requireAccount, requireAccountByKey } from "./accounts.ts";
import { catalogAt, deleteCatalog, uploadCatalog } from "./catalog.ts";
import { catalogJson } from "./catalog-json.ts";
import { refusals } from "./errors.ts";
import { createdReply, jsonReply, noContentReply, textReply, type Reply } from "./http-io.ts";
import { invoiceJson, invoicesOfAccount, requireInvoice } from "./invoices.ts";
import { invoiceBalanceCents, type Ledger } from "./ledger.ts";
import { invoicePaymentJson, invoicePaymentsJson, payInvoice, requirePayment } from "./payments.ts";
import { parseBody, ZAccountBody, ZInvoicePaymentBody, ZSubscriptionBody } from "./request-schemas.ts";
import type { PathParams } from "./router.ts";
import {
  bundlesOfAccount,
  cancelSubscription,
  changePlan,
  createSubscription,
  requireSubscription,
  requireSubscriptionByKey,
  subscriptionJson,
  uncancelSubscription,
  type EntitlementPolicy,
} from "./subscriptions.ts";

/** The Kill Bill 0.24 endpoints the stand-in implements (all tenant-scoped). */

export type BodyKind = "none" | "json" | "xml";

export interface KbRequest {
  params: PathParams;
  query: URLSearchParams;
  /** The parsed JSON body (json routes). */
  body: unknown;
  /** The raw body (xml routes). */
  text: string;
  /** Absolute URL for a Location header, built from the request's Host. */
  location(path: string): string;
}

export interface KbRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  body: BodyKind;
  handle(ledger: Ledger, request: KbRequest): Reply;
}

const CALLBACK_PATH = "/1.0/kb/tenants/registerNotificationCallback";
const CALLBACK_KEY = "PUSH_NOTIFICATION_CB";

const param = (request: KbRequest, name: string): string => request.params[name] ?? "";
const isTrue = (request: KbRequest, name: string): boolean => request.query.get(name) === "true";

function requireQuery(request: KbRequest, name: string): string {
  const value = request.query.get(name);
  if (!value) throw refusals.badRequest(`Query parameter ${name} needs to be set`);
  return value;
}

function callbackUrl(request: KbRequest): string {
  const cb = requireQuery(request, "cb");
  let url: URL;
  try {
    url = new URL(cb);
  } catch {
    throw refusals.badRequest(`Invalid callback URL ${cb}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw refusals.badRequest(`Invalid callback URL ${cb}`);
  return cb;
}

const POLICIES: readonly EntitlementPolicy[] = ["IMMEDIATE", "END_OF_TERM"];
const BILLING_POLICIES = ["START_OF_TERM", "END_OF_TERM", "IMMEDIATE", "ILLEGAL"];

/** entitlementPolicy wins; without it billingPolicy decides; with neither the entitlement ends now. */
function cancelPolicy(request: KbRequest): EntitlementPolicy {
  const entitlement = request.query.get("entitlementPolicy");
  const billing = request.query.get("billingPolicy");
  if (entitlement !== null && !POLICIES.includes(entitlement as EntitlementPolicy)) {
    throw refusals.badRequest(`Invalid entitlementPolicy ${entitlement}`);
  }
  if (billing !== null && !BILLING_POLICIES.includes(billing)) throw refusals.badRequest(`Invalid billingPolicy ${billing}`);
  if (entitlement !== null) return entitlement as EntitlementPolicy;
  return billing === "END_OF_TERM" ? "END_OF_TERM" : "IMMEDIATE";
}

function accountInvoices(ledger: Ledger, request: KbRequest): Reply {
  const account = requireAccount(ledger, param(request, "accountId"));
  const unpaidOnly = isTrue(request, "unpaidInvoicesOnly");
  const shallow = !isTrue(request, "includeInvoiceComponents");
  const invoices = invoicesOfAccount(ledger, account.accountId)
    .filter((invoice) => !unpaidOnly || invoiceBalanceCents(ledger.state, invoice) > 0)
    .map((invoice) => invoiceJson(ledger, invoice, shallow));
  return jsonReply(invoices);
}

function accountInvoicePayments(ledger: Ledger, request: KbRequest): Reply {
  const account = requireAccount(ledger, param(request, "accountId"));
  const payments = [...ledger.state.payments.values()].filter((payment) => payment.accountId === account.accountId);
  return jsonReply(payments.map(invoicePaymentJson));
}

function createExternalPayment(ledger: Ledger, request: KbRequest): Reply {
  const body = parseBody(ZInvoicePaymentBody, request.body, "InvoicePaymentJson");
  const outcome = payInvoice(ledger, param(request, "invoiceId"), body, isTrue(request, "externalPayment"));
  if (outcome.kind === "nothing-to-pay") return noContentReply();
  return createdReply(request.location(`/1.0/kb/invoicePayments/${outcome.payment.paymentId}`));
}

export const kbRoutes: readonly KbRoute[] = [
  {
    method: "POST",
    path: CALLBACK_PATH,
    body: "none",
    handle(ledger, request) {
      ledger.state.callbackUrl = callbackUrl(request);
      return createdReply(request.location(CALLBACK_PATH));
    },
  },
  {
    method: "GET",
    path: CALLBACK_PATH,
    body: "none",
    handle: (ledger) => jsonReply({ key: CALLBACK_KEY, values: ledger.state.callbackUrl ? [ledger.state.callbackUrl] : [] }),
  },
  {
    method: "DELETE",
    path: CALLBACK_PATH,
    body: "none",
    handle(ledger) {
      ledger.state.callbackUrl = null;
      return noContentReply();
    },
  },
  {
    method: "POST",
    path: "/1.0/kb/catalog/xml",
    body: "xml",
    handle(ledger, request) {
      uploadCatalog(ledger, request.text);
      return createdReply(request.location("/1.0/kb/catalog"));
    },
  },
  {
    method: "GET",
    path: "/1.0/kb/catalog/xml",
    body: "none",
    handle: (ledger) => textReply(catalogAt(ledger, ledger.now()).xml, "text/xml"),
  },
  {
    method: "GET",
    path: "/1.0/kb/catalog",
    body: "none",
    handle: (ledger) => jsonReply(ledger.state.catalogVersions.map(catalogJson)),
  },
  {
    method: "DELETE",
    path: "/1.0/kb/catalog",
    body: "none",
    handle(ledger) {
      deleteCatalog(ledger);
      return noContentReply();
    },
  },
  {
    method: "POST",
    path: "/1.0/kb/accounts",
    body: "json",
    handle(ledger, request) {
      const account = createAccount(ledger, parseBody(ZAccountBody, request.body, "AccountJson"));
      return createdReply(request.location(`/1.0/kb/accounts/${account.accountId}`));
    },
  },
  {
    method: "GET",
    path: "/1.0/kb/accounts",
    body: "none",
    handle(ledger, request) {
      const account = requireAccountByKey(ledger, requireQuery(request, "externalKey"));
      return jsonReply(accountJson(ledger, account, isTrue(request, "accountWithBalance") || isTrue(request, "accountWithBalanceAndCBA")));
    },
  },
  {
    method: "GET",
    path: "/1.0/kb/accounts/:accountId",
    body: "none",
    handle(ledger, request) {
      const account = requireAccount(ledger, param(request, "accountId"));
      return jsonReply(accountJson(ledger, account, isTrue(request, "accountWithBalance") || isTrue(request, "accountWithBalanceAndCBA")));
    },
  },
  { method: "GET", path: "/1.0/kb/accounts/:accountId/invoices", body: "none", handle: accountInvoices },
  { method: "GET", path: "/1.0/kb/accounts/:accountId/invoicePayments", body: "none", handle: accountInvoicePayments },
  {
    method: "GET",
    path: "/1.0/kb/accounts/:accountId/bundles",
    body: "none",
    handle: (ledger, request) => jsonReply(bundlesOfAccount(ledger, param(request, "accountId"), request.query.get("externalKey"))),
  },
  {
    method: "POST",
    path: "/1.0/kb/subscriptions",
    body: "json",
    handle(ledger, request) {
      const subscription = createSubscription(ledger, parseBody(ZSubscriptionBody, request.body, "SubscriptionJson"));
      return createdReply(request.location(`/1.0/kb/subscriptions/${subscription.subscriptionId}`));
    },
  },
  {
    method: "GET",
    path: "/1.0/kb/subscriptions",
    body: "none",
    handle: (ledger, request) => jsonReply(subscriptionJson(requireSubscriptionByKey(ledger, requireQuery(request, "externalKey")))),
  },
  {
    method: "GET",
    path: "/1.0/kb/subscriptions/:subscriptionId",
    body: "none",
    handle: (ledger, request) => jsonReply(subscriptionJson(requireSubscription(ledger, param(request, "subscriptionId")))),
  },
  {
    method: "PUT",
    path: "/1.0/kb/subscriptions/:subscriptionId",
    body: "json",
    handle(ledger, request) {
      changePlan(ledger, param(request, "subscriptionId"), parseBody(ZSubscriptionBody, request.body, "SubscriptionJson"));
      return noContentReply();
    },
  },
  {
    method: "DELETE",
    path: "/1.0/kb/subscriptions/:subscriptionId",
    body: "none",
    handle(ledger, request) {
      cancelSubscription(ledger, param(request, "subscriptionId"), cancelPolicy(request));
      return noContentReply();
    },
  },
  {
    method: "PUT",
    path: "/1.0/kb/subscriptions/:subscriptionId/uncancel",
    body: "none",
    handle(ledger, request) {
      uncancelSubscription(ledger, param(request, "subscriptionId"));
      return noContentReply();
    },
  },
  {
    method: "GET",
    path: "/1.0/kb/invoices/:invoiceId",
    body: "none",
    handle: (ledger, request) => jsonReply(invoiceJson(ledger, requireInvoice(ledger, param(request, "invoiceId")))),
  },
  {
    method: "GET",
    path: "/1.0/kb/invoices/:invoiceId/payments",
    body: "none",
    handle: (ledger, request) => jsonReply(invoicePaymentsJson(ledger, param(request, "invoiceId"))),
  },
  { method: "POST", path: "/1.0/kb/invoices/:invoiceId/payments", body: "json", handle: createExternalPayment },
  {
    method: "GET",
    path: "/1.0/kb/invoicePayments/:paymentId",
    body: "none",
    handle: (ledger, request) => jsonReply(invoicePaymentJson(requirePayment(ledger, param(request, "paymentId")))),
  },
];
