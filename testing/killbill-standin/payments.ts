import { randomUUID } from "node:crypto";
import { requireAccount } from "./accounts.ts";
import { dateTime } from "./dates.ts";
import { refusals } from "./errors.ts";
import { invoicePaymentEvent, paymentEvent } from "./events.ts";
import { requireInvoice } from "./invoices.ts";
import type { InvoicePaymentJson } from "./json-types.ts";
import {
  centsToAmount,
  invoiceBalanceCents,
  paymentsOfInvoice,
  type AccountRecord,
  type InvoiceRecord,
  type Ledger,
  type PaymentRecord,
} from "./ledger.ts";
import type { TInvoicePaymentBody } from "./request-schemas.ts";

export type PaymentOutcome = { kind: "created"; payment: PaymentRecord } | { kind: "nothing-to-pay" };

function externalPaymentMethod(account: AccountRecord): string {
  account.externalPaymentMethodId ??= randomUUID();
  return account.externalPaymentMethodId;
}

function toCents(amount: number): number {
  return Math.round(amount * 100);
}

interface PaymentDraft {
  invoice: InvoiceRecord;
  account: AccountRecord;
  cents: number;
  key: string | null;
  status: PaymentRecord["status"];
}

function recordPayment(ledger: Ledger, { invoice, account, cents, key, status }: PaymentDraft): PaymentRecord {
  const paymentId = randomUUID();
  const transactionId = randomUUID();
  const payment: PaymentRecord = {
    paymentId,
    paymentNumber: ledger.state.nextPaymentNumber(),
    paymentExternalKey: key ?? paymentId,
    transactionId,
    transactionExternalKey: key ?? transactionId,
    accountId: account.accountId,
    invoiceId: invoice.invoiceId,
    paymentMethodId: externalPaymentMethod(account),
    cents,
    currency: invoice.currency,
    effectiveDate: ledger.now(),
    status,
  };
  ledger.state.payments.set(paymentId, payment);
  return payment;
}

function findSuccessfulByKey(ledger: Ledger, key: string): PaymentRecord | undefined {
  return [...ledger.state.payments.values()].find((payment) => payment.status === "SUCCESS" && payment.paymentExternalKey === key);
}

function checkPaymentBody(body: TInvoicePaymentBody, externalPayment: boolean): string {
  if (!externalPayment) {
    throw refusals.badRequest("The stand-in has no payment plugin: only externalPayment=true payments are supported");
  }
  if (body.paymentMethodId) {
    throw refusals.badRequest("InvoicePaymentJson should not contain a paymentMethodId when this is an external payment");
  }
  if (!body.accountId) throw refusals.badRequest("InvoicePaymentJson accountId needs to be set");
  return body.accountId;
}

function amountToPay(body: TInvoicePaymentBody, balanceCents: number): number {
  const cents = body.purchasedAmount === null || body.purchasedAmount === undefined ? balanceCents : toCents(body.purchasedAmount);
  if (cents <= 0) throw refusals.invalidPaymentParameter("purchasedAmount", "should be strictly positive");
  if (cents > balanceCents) {
    const reason = `${centsToAmount(cents)} is more than the invoice balance ${centsToAmount(balanceCents)}`;
    throw refusals.invalidPaymentParameter("purchasedAmount", reason);
  }
  return cents;
}

/**
 * POST /1.0/kb/invoices/{id}/payments?externalPayment=true: records a payment made outside Kill
 * Bill. A paymentExternalKey already used by a successful payment records nothing and answers
 * that payment again; nothing owed answers "nothing to pay" (204).
 */
export function payInvoice(ledger: Ledger, invoiceId: string, body: TInvoicePaymentBody, externalPayment: boolean): PaymentOutcome {
  const accountId = checkPaymentBody(body, externalPayment);
  const account = requireAccount(ledger, accountId);
  const invoice = requireInvoice(ledger, invoiceId);
  if (invoice.accountId !== account.accountId) throw refusals.badRequest(`Invoice ${invoiceId} does not belong to account ${accountId}`);
  const previous = body.paymentExternalKey ? findSuccessfulByKey(ledger, body.paymentExternalKey) : undefined;
  if (previous) return { kind: "created", payment: previous };
  const balance = invoiceBalanceCents(ledger.state, invoice);
  if (balance <= 0) return { kind: "nothing-to-pay" };
  const cents = amountToPay(body, balance);
  const payment = recordPayment(ledger, { invoice, account, cents, key: body.paymentExternalKey ?? null, status: "SUCCESS" });
  ledger.emit(invoicePaymentEvent("INVOICE_PAYMENT_SUCCESS", payment));
  ledger.emit(paymentEvent("PAYMENT_SUCCESS", payment));
  return { kind: "created", payment };
}

/** Test control: a payment attempt of the invoice's balance that failed. */
export function failPayment(ledger: Ledger, invoiceId: string): PaymentRecord {
  const invoice = requireInvoice(ledger, invoiceId);
  const account = requireAccount(ledger, invoice.accountId);
  const cents = invoiceBalanceCents(ledger.state, invoice);
  const payment = recordPayment(ledger, { invoice, account, cents, key: null, status: "PAYMENT_FAILURE" });
  ledger.emit(invoicePaymentEvent("INVOICE_PAYMENT_FAILED", payment));
  ledger.emit(paymentEvent("PAYMENT_FAILED", payment));
  return payment;
}

export function requirePayment(ledger: Ledger, paymentId: string): PaymentRecord {
  const payment = ledger.state.payments.get(paymentId);
  if (!payment) throw refusals.paymentNotFound(paymentId);
  return payment;
}

export function invoicePaymentJson(payment: PaymentRecord): InvoicePaymentJson {
  const amount = centsToAmount(payment.cents);
  const succeeded = payment.status === "SUCCESS";
  return {
    targetInvoiceId: payment.invoiceId,
    accountId: payment.accountId,
    paymentId: payment.paymentId,
    paymentNumber: String(payment.paymentNumber),
    paymentExternalKey: payment.paymentExternalKey,
    authAmount: 0,
    capturedAmount: 0,
    purchasedAmount: succeeded ? amount : 0,
    refundedAmount: 0,
    creditedAmount: 0,
    currency: payment.currency,
    paymentMethodId: payment.paymentMethodId,
    transactions: [
      {
        transactionId: payment.transactionId,
        transactionExternalKey: payment.transactionExternalKey,
        paymentId: payment.paymentId,
        paymentExternalKey: payment.paymentExternalKey,
        transactionType: "PURCHASE",
        amount,
        currency: payment.currency,
        effectiveDate: dateTime(payment.effectiveDate),
        processedAmount: succeeded ? amount : 0,
        processedCurrency: payment.currency,
        status: payment.status,
        gatewayErrorCode: succeeded ? null : "STANDIN_FAILURE",
        gatewayErrorMsg: succeeded ? null : "Payment failed (stand-in failPayment control)",
        firstPaymentReferenceId: null,
        secondPaymentReferenceId: null,
        properties: null,
        isAdjusted: false,
        adjustments: [],
        auditLogs: [],
      },
    ],
    paymentAttempts: null,
    auditLogs: [],
  };
}

export function invoicePaymentsJson(ledger: Ledger, invoiceId: string): InvoicePaymentJson[] {
  requireInvoice(ledger, invoiceId);
  return paymentsOfInvoice(ledger.state, invoiceId).map(invoicePaymentJson);
}
