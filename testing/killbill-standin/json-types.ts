// JSON shapes the Kill Bill stand-in answers with: the Kill Bill 0.24 swagger definitions of the
// same names (the contract killbill/killbill-swagger-0.24.0.yaml), limited to the fields
// the stand-in fills. Amounts are JSON numbers (Kill Bill's BigDecimal), dates are `yyyy-mm-dd`,
// date-times ISO 8601 in UTC.

/** The body Kill Bill POSTs to the push-notification callback: exactly these five fields. */
export interface NotificationJson {
  eventType: string;
  accountId: string | null;
  objectType: string | null;
  objectId: string | null;
  metaData: string | null;
}

export interface AccountJson {
  accountId: string;
  name: string | null;
  firstNameLength: number | null;
  externalKey: string;
  email: string | null;
  billCycleDayLocal: number;
  currency: string | null;
  parentAccountId: string | null;
  isPaymentDelegatedToParent: boolean;
  paymentMethodId: string | null;
  referenceTime: string;
  timeZone: string;
  address1: string | null;
  address2: string | null;
  postalCode: string | null;
  company: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  locale: string | null;
  phone: string | null;
  notes: string | null;
  isMigrated: boolean;
  accountBalance: number | null;
  accountCBA: number | null;
  auditLogs: [];
}

export interface SubscriptionJson {
  accountId: string;
  bundleId: string;
  bundleExternalKey: string;
  subscriptionId: string;
  externalKey: string;
  startDate: string;
  productName: string;
  productCategory: "BASE";
  billingPeriod: string;
  phaseType: string;
  priceList: string;
  planName: string;
  state: "ACTIVE" | "CANCELLED";
  sourceType: "NATIVE";
  cancelledDate: string | null;
  chargedThroughDate: string | null;
  billingStartDate: string;
  billingEndDate: string | null;
  billCycleDayLocal: number;
  quantity: number;
  events: [];
  priceOverrides: null;
  prices: [];
  auditLogs: [];
}

export interface BundleJson {
  accountId: string;
  bundleId: string;
  externalKey: string;
  subscriptions: SubscriptionJson[];
  timeline: null;
  auditLogs: [];
}

export interface InvoiceItemJson {
  invoiceItemId: string;
  invoiceId: string;
  linkedInvoiceItemId: null;
  accountId: string;
  childAccountId: null;
  bundleId: string;
  subscriptionId: string;
  productName: string;
  planName: string;
  phaseName: string;
  usageName: null;
  prettyProductName: string;
  prettyPlanName: string;
  prettyPhaseName: string;
  prettyUsageName: null;
  itemType: "FIXED" | "RECURRING";
  description: string;
  startDate: string;
  endDate: string | null;
  amount: number;
  rate: number | null;
  currency: string;
  quantity: null;
  itemDetails: null;
  catalogEffectiveDate: string;
  childItems: null;
  auditLogs: [];
}

export interface InvoiceJson {
  amount: number;
  currency: string;
  status: "COMMITTED";
  creditAdj: number;
  refundAdj: number;
  invoiceId: string;
  invoiceDate: string;
  targetDate: string;
  invoiceNumber: string;
  balance: number;
  accountId: string;
  bundleKeys: string | null;
  credits: [];
  items: InvoiceItemJson[];
  trackingIds: [];
  isParentInvoice: boolean;
  parentInvoiceId: null;
  parentAccountId: null;
  auditLogs: [];
}

export type TransactionStatus = "SUCCESS" | "PAYMENT_FAILURE";

export interface InvoicePaymentTransactionJson {
  transactionId: string;
  transactionExternalKey: string;
  paymentId: string;
  paymentExternalKey: string;
  transactionType: "PURCHASE";
  amount: number;
  currency: string;
  effectiveDate: string;
  processedAmount: number;
  processedCurrency: string;
  status: TransactionStatus;
  gatewayErrorCode: string | null;
  gatewayErrorMsg: string | null;
  firstPaymentReferenceId: null;
  secondPaymentReferenceId: null;
  properties: null;
  isAdjusted: boolean;
  adjustments: [];
  auditLogs: [];
}

export interface InvoicePaymentJson {
  targetInvoiceId: string;
  accountId: string;
  paymentId: string;
  paymentNumber: string;
  paymentExternalKey: string;
  authAmount: number;
  capturedAmount: number;
  purchasedAmount: number;
  refundedAmount: number;
  creditedAmount: number;
  currency: string;
  paymentMethodId: string;
  transactions: InvoicePaymentTransactionJson[];
  paymentAttempts: null;
  auditLogs: [];
}

export interface PriceJson {
  currency: string;
  value: number;
}

export interface DurationJson {
  unit: string;
  number: number;
}

export interface PhaseJson {
  type: string;
  prices: PriceJson[];
  fixedPrices: PriceJson[];
  duration: DurationJson;
  usages: [];
}

export interface PlanJson {
  name: string;
  prettyName: string;
  recurringBillingMode: string;
  billingPeriod: string;
  phases: PhaseJson[];
}

export interface ProductJson {
  type: string;
  name: string;
  prettyName: string;
  plans: PlanJson[];
  included: [];
  available: [];
}

export interface PriceListJson {
  name: string;
  plans: string[];
}

export interface CatalogJson {
  name: string;
  effectiveDate: string;
  currencies: string[];
  units: [];
  products: ProductJson[];
  priceLists: PriceListJson[];
}

export interface TenantKeyValueJson {
  key: string;
  values: string[];
}

/** Kill Bill's error body (BillingExceptionJson). */
export interface BillingExceptionJson {
  className: string;
  code: number | null;
  message: string;
  causeClassName: null;
  causeMessage: null;
  stackTrace: [];
}
