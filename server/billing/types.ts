/**
 * The billing provider interface: one lifecycle (accounts, subscriptions with the catalog's
 * trial phase, invoices, external payments), two implementations chosen by BILLING_PROVIDER:
 * `killbill` (production, Kill Bill's REST API) and `builtin` (our own tables).
 *
 * Amounts are integer cents in USD; ids are the provider's own (Kill Bill UUIDs, or our cuids).
 * Reads return null when the provider does not know the object (Kill Bill's 404): a
 * notification naming an object that does not exist is then recognised as forged.
 */

export type BillingProviderName = "killbill" | "builtin";

/** A base plan of the catalog, with its price as the provider states it. */
export interface CatalogPlan {
  /** Kill Bill plan name, also our Plan.id: "standard-monthly". */
  planName: string;
  productName: string;
  currency: string;
  /** Recurring price of the EVERGREEN phase, per month, in cents. */
  monthlyPriceCents: number;
  /** Length of the $0 TRIAL phase in days (0 when the plan has none). */
  trialDays: number;
}

export type SubscriptionState = "PENDING" | "ACTIVE" | "BLOCKED" | "CANCELLED" | "EXPIRED";

export interface SubscriptionView {
  subscriptionId: string;
  accountId: string;
  /** Our instance id (the subscription's externalKey). */
  externalKey: string | null;
  planName: string;
  /** Kill Bill phase type of the current phase: "TRIAL", "EVERGREEN"… */
  phaseType: string;
  state: SubscriptionState;
  startDate: string | null;
  /** Paid-through date (end of the current term), ISO date or date-time. */
  chargedThroughDate: string | null;
  /** When the cancellation takes effect (set once cancelled, even END_OF_TERM). */
  cancelledDate: string | null;
}

export type InvoiceStatus = "DRAFT" | "COMMITTED" | "VOID";

export interface InvoiceView {
  invoiceId: string;
  accountId: string;
  invoiceNumber: string;
  /** ISO date (yyyy-mm-dd) or date-time. */
  invoiceDate: string;
  amountCents: number;
  /** What is still owed; 0 when paid (or a $0 trial invoice). */
  balanceCents: number;
  currency: string;
  status: InvoiceStatus;
  /** Subscriptions the invoice's items bill. */
  subscriptionIds: string[];
}

export interface CustomerRef {
  /** Our user id: the Kill Bill account's externalKey. */
  id: string;
  email: string;
  name: string;
  company: string | null;
}

export interface CreateSubscriptionInput {
  accountId: string;
  /** Our instance id: externalKey of the subscription and of its bundle. */
  instanceId: string;
  planName: string;
  /** true: start in the catalog's TRIAL phase; false: start in EVERGREEN (billed at once). */
  trial: boolean;
}

export interface ExternalPaymentInput {
  accountId: string;
  invoiceId: string;
  amountCents: number;
  /** Idempotency key: "paynow-<paynowreference>". A second call with the same key changes nothing. */
  externalKey: string;
}

export interface BillingProvider {
  readonly name: BillingProviderName;
  /** Base plans with prices. */
  listCatalogPlans(): Promise<CatalogPlan[]>;
  /** Looks the customer's account up by externalKey = customer id, creating it if missing. Returns the account id. */
  ensureAccount(customer: CustomerRef): Promise<string>;
  /** Creates the subscription (idempotent per instance id). Returns its id. */
  createSubscription(input: CreateSubscriptionInput): Promise<string>;
  getSubscription(subscriptionId: string): Promise<SubscriptionView | null>;
  cancelSubscription(subscriptionId: string, policy: "END_OF_TERM" | "IMMEDIATE"): Promise<void>;
  changePlan(subscriptionId: string, planName: string): Promise<void>;
  getInvoice(invoiceId: string): Promise<InvoiceView | null>;
  listInvoices(accountId: string): Promise<InvoiceView[]>;
  /** Records a payment made outside the provider (Paynow) against an invoice. */
  recordExternalPayment(input: ExternalPaymentInput): Promise<void>;
}

/** Thrown by a provider when the billing system cannot be reached or answers an error. */
export class BillingProviderError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "BillingProviderError";
  }
}
