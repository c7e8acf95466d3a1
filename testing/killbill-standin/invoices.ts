import { randomUUID } from "node:crypto";
import { dateTime, localDate } from "./dates.ts";
import { refusals } from "./errors.ts";
import { invoiceCreation } from "./events.ts";
import type { InvoiceItemJson, InvoiceJson } from "./json-types.ts";
import {
  centsToAmount,
  invoiceAmountCents,
  invoiceBalanceCents,
  type InvoiceItemRecord,
  type InvoiceRecord,
  type Ledger,
} from "./ledger.ts";

export type InvoiceItemDraft = Omit<InvoiceItemRecord, "invoiceItemId">;

/** Commits an invoice dated `at` for the account's items and pushes INVOICE_CREATION. */
export function createInvoice(ledger: Ledger, accountId: string, currency: string, at: Date, drafts: InvoiceItemDraft[]): InvoiceRecord {
  const bundleKeys = [...new Set(drafts.map((draft) => bundleKeyOf(ledger, draft.subscriptionId)))];
  const invoice: InvoiceRecord = {
    invoiceId: randomUUID(),
    accountId,
    invoiceNumber: ledger.state.nextInvoiceNumber(),
    invoiceDate: at,
    targetDate: at,
    currency,
    bundleKeys,
    items: drafts.map((draft) => ({ ...draft, invoiceItemId: randomUUID() })),
  };
  ledger.state.invoices.set(invoice.invoiceId, invoice);
  ledger.emit(invoiceCreation(invoice));
  return invoice;
}

function bundleKeyOf(ledger: Ledger, subscriptionId: string): string {
  return ledger.state.subscriptions.get(subscriptionId)?.bundleExternalKey ?? subscriptionId;
}

export function requireInvoice(ledger: Ledger, invoiceId: string): InvoiceRecord {
  const invoice = ledger.state.invoices.get(invoiceId);
  if (!invoice) throw refusals.invoiceNotFound(invoiceId);
  return invoice;
}

export function invoicesOfAccount(ledger: Ledger, accountId: string): InvoiceRecord[] {
  return [...ledger.state.invoices.values()]
    .filter((invoice) => invoice.accountId === accountId)
    .sort((a, b) => a.invoiceNumber - b.invoiceNumber);
}

function itemJson(invoice: InvoiceRecord, item: InvoiceItemRecord): InvoiceItemJson {
  return {
    invoiceItemId: item.invoiceItemId,
    invoiceId: invoice.invoiceId,
    linkedInvoiceItemId: null,
    accountId: invoice.accountId,
    childAccountId: null,
    bundleId: item.bundleId,
    subscriptionId: item.subscriptionId,
    productName: item.productName,
    planName: item.planName,
    phaseName: item.phaseName,
    usageName: null,
    prettyProductName: item.productName,
    prettyPlanName: item.prettyPlanName,
    prettyPhaseName: item.phaseName,
    prettyUsageName: null,
    itemType: item.itemType,
    description: item.phaseName,
    startDate: localDate(item.startDate),
    endDate: item.endDate ? localDate(item.endDate) : null,
    amount: centsToAmount(item.cents),
    rate: item.rateCents === null ? null : centsToAmount(item.rateCents),
    currency: invoice.currency,
    quantity: null,
    itemDetails: null,
    catalogEffectiveDate: dateTime(item.catalogEffectiveDate),
    childItems: null,
    auditLogs: [],
  };
}

/**
 * The Invoice JSON. `shallow` is what GET /accounts/{id}/invoices answers without
 * includeInvoiceComponents=true: Kill Bill does not load the items then, so amount and balance
 * (computed from them) are 0 and items is empty.
 */
export function invoiceJson(ledger: Ledger, invoice: InvoiceRecord, shallow = false): InvoiceJson {
  return {
    amount: shallow ? 0 : centsToAmount(invoiceAmountCents(invoice)),
    currency: invoice.currency,
    status: "COMMITTED",
    creditAdj: 0,
    refundAdj: 0,
    invoiceId: invoice.invoiceId,
    invoiceDate: localDate(invoice.invoiceDate),
    targetDate: localDate(invoice.targetDate),
    invoiceNumber: String(invoice.invoiceNumber),
    balance: shallow ? 0 : centsToAmount(invoiceBalanceCents(ledger.state, invoice)),
    accountId: invoice.accountId,
    bundleKeys: shallow ? null : invoice.bundleKeys.join(","),
    credits: [],
    items: shallow ? [] : invoice.items.map((item) => itemJson(invoice, item)),
    trackingIds: [],
    isParentInvoice: false,
    parentInvoiceId: null,
    parentAccountId: null,
    auditLogs: [],
  };
}
