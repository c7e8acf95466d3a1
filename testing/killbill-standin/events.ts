import { randomUUID } from "node:crypto";
import { dateTime } from "./dates.ts";
import type { NotificationJson } from "./json-types.ts";
import { centsToAmount, type InvoiceRecord, type PaymentRecord, type SubscriptionRecord } from "./ledger.ts";

/**
 * The push notifications Kill Bill sends, with the objectType, objectId and metaData that
 * BeatrixListener gives each event type (killbill.md, "Event types").
 */

export type ActionType = "EFFECTIVE" | "REQUESTED";

export function accountCreation(accountId: string): NotificationJson {
  return { eventType: "ACCOUNT_CREATION", accountId, objectType: "ACCOUNT", objectId: accountId, metaData: null };
}

/** SUBSCRIPTION_CREATION/_PHASE/_CHANGE/_CANCEL/_UNCANCEL, metaData SubscriptionMetadata. */
export function subscriptionEvent(eventType: string, subscription: SubscriptionRecord, actionType: ActionType): NotificationJson {
  const metaData = JSON.stringify({ actionType, bundleExternalKey: subscription.bundleExternalKey, subscriptionChangeUndo: false });
  return { eventType, accountId: subscription.accountId, objectType: "SUBSCRIPTION", objectId: subscription.subscriptionId, metaData };
}

/** ENTITLEMENT_CREATION / ENTITLEMENT_CANCEL: a subscription-level blocking state, no metaData. */
export function entitlementEvent(eventType: string, subscription: SubscriptionRecord): NotificationJson {
  return { eventType, accountId: subscription.accountId, objectType: "SUBSCRIPTION", objectId: subscription.subscriptionId, metaData: null };
}

export function invoiceCreation(invoice: InvoiceRecord): NotificationJson {
  return { eventType: "INVOICE_CREATION", accountId: invoice.accountId, objectType: "INVOICE", objectId: invoice.invoiceId, metaData: null };
}

/** INVOICE_PAYMENT_SUCCESS / _FAILED, metaData InvoicePaymentMetadata. */
export function invoicePaymentEvent(eventType: string, payment: PaymentRecord): NotificationJson {
  const metaData = JSON.stringify({
    paymentId: payment.paymentId,
    invoicePaymentType: "ATTEMPT",
    paymentDate: dateTime(payment.effectiveDate),
    amount: centsToAmount(payment.cents),
    currency: payment.currency,
    linkedInvoicePaymentId: null,
    paymentCookieId: null,
    processedCurrency: payment.currency,
  });
  return { eventType, accountId: payment.accountId, objectType: "INVOICE", objectId: payment.invoiceId, metaData };
}

/** PAYMENT_SUCCESS / PAYMENT_FAILED, metaData PaymentMetadata. */
export function paymentEvent(eventType: string, payment: PaymentRecord): NotificationJson {
  const metaData = JSON.stringify({
    paymentTransactionId: payment.transactionId,
    amount: centsToAmount(payment.cents),
    currency: payment.currency,
    status: payment.status,
    transactionType: "PURCHASE",
    effectiveDate: dateTime(payment.effectiveDate),
  });
  return { eventType, accountId: payment.accountId, objectType: "PAYMENT", objectId: payment.paymentId, metaData };
}

/** TENANT_CONFIG_CHANGE / _DELETION: no account, the key name as a plain-string metaData. */
export function tenantConfigEvent(eventType: string, key: string): NotificationJson {
  return { eventType, accountId: null, objectType: "TENANT_KVS", objectId: randomUUID(), metaData: key };
}
