import type { BillingExceptionJson } from "./json-types.ts";

/**
 * A refusal answered the way Kill Bill answers it: an HTTP status and a BillingExceptionJson body
 * naming the Java exception class and Kill Bill's ErrorCode (killbill-api ErrorCode.java).
 */
export class KillbillError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly className = "java.lang.IllegalArgumentException",
    readonly code: number | null = null,
  ) {
    super(message);
  }

  toJson(): BillingExceptionJson {
    return { className: this.className, code: this.code, message: this.message, causeClassName: null, causeMessage: null, stackTrace: [] };
  }
}

const ACCOUNT_API = "org.killbill.billing.account.api.AccountApiException";
const CATALOG_API = "org.killbill.billing.catalog.api.CatalogApiException";
const SUBSCRIPTION_API = "org.killbill.billing.entitlement.api.SubscriptionApiException";
const ENTITLEMENT_API = "org.killbill.billing.entitlement.api.EntitlementApiException";
const INVOICE_API = "org.killbill.billing.invoice.api.InvoiceApiException";
const PAYMENT_API = "org.killbill.billing.payment.api.PaymentApiException";

/** The refusals the stand-in gives, with Kill Bill's status, class, code and message. */
export const refusals = {
  badRequest: (message: string) => new KillbillError(400, message),
  unauthorized: (message: string) => new KillbillError(401, message, "org.apache.shiro.authc.AuthenticationException"),
  notFound: (message: string) => new KillbillError(404, message, "javax.ws.rs.NotFoundException"),
  methodNotAllowed: (message: string) => new KillbillError(405, message, "javax.ws.rs.NotAllowedException"),
  unsupportedMediaType: (message: string) => new KillbillError(415, message, "javax.ws.rs.NotSupportedException"),

  accountExists: (key: string) => new KillbillError(409, `Account already exists for key ${key}`, ACCOUNT_API, 3000),
  accountNotFound: (id: string) => new KillbillError(404, `Account does not exist for id ${id}`, ACCOUNT_API, 3002),
  accountKeyNotFound: (key: string) => new KillbillError(404, `Account does not exist for key ${key}`, ACCOUNT_API, 3003),

  noCatalog: (date: string) =>
    new KillbillError(400, `There is no catalog version that applies for the given date '${date}'`, CATALOG_API, 2050),
  noSuchPlan: (name: string) => new KillbillError(400, `Could not find any plans named '${name}'`, CATALOG_API, 2021),
  noPriceForCurrency: (currency: string) =>
    new KillbillError(400, `This price does not have a value for the currency '${currency}'.`, CATALOG_API, 2010),
  invalidCatalog: (reason: string) => new KillbillError(400, `Invalid catalog for tenant : ${reason}`, CATALOG_API, 2080),

  badPhase: (phase: string) => new KillbillError(400, `Can't create plan initial phase ${phase}`, SUBSCRIPTION_API, 1011),
  activeBundleKeyExists: (key: string) =>
    new KillbillError(400, `Active bundle with external key ${key} already exists`, SUBSCRIPTION_API, 1014),
  subscriptionNotFound: (id: string) => new KillbillError(404, `Unknown subscription ${id}`, SUBSCRIPTION_API, 1082),
  subscriptionKeyNotFound: (key: string) =>
    new KillbillError(404, `Could not find a subscription matching key ${key}`, SUBSCRIPTION_API, 1082),
  bundleKeyNotFound: (key: string) => new KillbillError(404, `Could not find a bundle matching key ${key}`, SUBSCRIPTION_API, 1083),
  changeNonActive: (id: string, state: string) =>
    new KillbillError(400, `Subscription ${id} is in state ${state}: Failed to change plan`, SUBSCRIPTION_API, 1021),
  changeFutureCancelled: (id: string) =>
    new KillbillError(400, `Subscription ${id} is future cancelled: Failed to change plan`, SUBSCRIPTION_API, 1022),
  // Kill Bill maps SUB_CANCEL_BAD_STATE and SUB_UNCANCEL_BAD_STATE to 500 (EntitlementApiExceptionMapper).
  cancelBadState: (id: string) =>
    new KillbillError(500, `Subscription ${id} is in state CANCELLED: Failed to cancel`, ENTITLEMENT_API, 1031),
  uncancelBadState: (id: string) =>
    new KillbillError(500, `Subscription ${id} was not in a cancelled state: Failed to uncancel plan`, ENTITLEMENT_API, 1070),

  invoiceNotFound: (id: string) => new KillbillError(404, `No invoice could be found for id ${id}.`, INVOICE_API, 4006),
  paymentNotFound: (id: string) => new KillbillError(404, `Payment ${id} does not exist`, PAYMENT_API, 7020),
  invalidPaymentParameter: (name: string, reason: string) =>
    new KillbillError(400, `Invalid parameter ${name}: ${reason}`, PAYMENT_API, 7031),
};
