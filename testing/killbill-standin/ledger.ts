import type { CatalogPhase, CatalogPlan, CatalogVersion } from "./catalog-xml.ts";
import type { NotificationJson, TransactionStatus } from "./json-types.ts";
import type { TAccountBody } from "./request-schemas.ts";

/**
 * The stand-in's in-memory tenant: what Kill Bill would keep in its database for one tenant, plus
 * the context every operation gets (the clock and the push-notification emitter). Amounts are
 * integer cents.
 */

export interface AccountRecord {
  accountId: string;
  externalKey: string;
  referenceTime: Date;
  fields: TAccountBody;
  /** Kill Bill's __EXTERNAL_PAYMENT__ method of the account, made by its first external payment. */
  externalPaymentMethodId: string | null;
}

export interface ScheduledPhase {
  phase: CatalogPhase;
  start: Date;
}

export interface SubscriptionRecord {
  subscriptionId: string;
  accountId: string;
  bundleId: string;
  bundleExternalKey: string;
  externalKey: string;
  plan: CatalogPlan;
  priceList: string;
  catalogEffectiveDate: Date;
  startDate: Date;
  /** The phases from the one the subscription started in, each with its start. */
  schedule: ScheduledPhase[];
  phaseIndex: number;
  /** Recurring periods invoiced in the current (recurring) phase. */
  billedPeriods: number;
  /** End of what has been invoiced: the phase start in a $0 trial, the end of the paid period after. */
  chargedThrough: Date;
  state: "ACTIVE" | "CANCELLED";
  /** When the cancellation takes (or took) effect; null when not cancelled. */
  cancelDate: Date | null;
}

export interface InvoiceItemRecord {
  invoiceItemId: string;
  subscriptionId: string;
  bundleId: string;
  productName: string;
  planName: string;
  prettyPlanName: string;
  phaseName: string;
  itemType: "FIXED" | "RECURRING";
  startDate: Date;
  endDate: Date | null;
  cents: number;
  rateCents: number | null;
  catalogEffectiveDate: Date;
}

export interface InvoiceRecord {
  invoiceId: string;
  accountId: string;
  invoiceNumber: number;
  invoiceDate: Date;
  targetDate: Date;
  currency: string;
  bundleKeys: string[];
  items: InvoiceItemRecord[];
}

export interface PaymentRecord {
  paymentId: string;
  paymentNumber: number;
  paymentExternalKey: string;
  transactionId: string;
  transactionExternalKey: string;
  accountId: string;
  invoiceId: string;
  paymentMethodId: string;
  cents: number;
  currency: string;
  effectiveDate: Date;
  status: TransactionStatus;
}

export class LedgerState {
  readonly accounts = new Map<string, AccountRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly invoices = new Map<string, InvoiceRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  catalogVersions: CatalogVersion[] = [];
  callbackUrl: string | null = null;
  private invoiceSequence = 0;
  private paymentSequence = 0;

  nextInvoiceNumber(): number {
    this.invoiceSequence += 1;
    return this.invoiceSequence;
  }

  nextPaymentNumber(): number {
    this.paymentSequence += 1;
    return this.paymentSequence;
  }

  clear(): void {
    this.accounts.clear();
    this.subscriptions.clear();
    this.invoices.clear();
    this.payments.clear();
    this.catalogVersions = [];
    this.callbackUrl = null;
    this.invoiceSequence = 0;
    this.paymentSequence = 0;
  }
}

/** What every stand-in operation works with. */
export interface Ledger {
  readonly state: LedgerState;
  now(): Date;
  /** Queues a push notification (delivered after the current API call has answered). */
  emit(notification: NotificationJson): void;
}

export function invoiceAmountCents(invoice: InvoiceRecord): number {
  return invoice.items.reduce((sum, item) => sum + item.cents, 0);
}

export function paymentsOfInvoice(state: LedgerState, invoiceId: string): PaymentRecord[] {
  return [...state.payments.values()].filter((payment) => payment.invoiceId === invoiceId);
}

export function invoiceBalanceCents(state: LedgerState, invoice: InvoiceRecord): number {
  const paid = paymentsOfInvoice(state, invoice.invoiceId)
    .filter((payment) => payment.status === "SUCCESS")
    .reduce((sum, payment) => sum + payment.cents, 0);
  return invoiceAmountCents(invoice) - paid;
}

export const centsToAmount = (cents: number): number => cents / 100;
