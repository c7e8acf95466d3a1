import { z } from "zod";

/**
 * Zod shapes of the Kill Bill 0.24 JSON we read (swagger definitions of the same name), with only
 * the fields the platform uses. Objects are loose: Kill Bill may add fields, and a field we rely
 * on that is missing or of the wrong type fails the call with the field's path.
 */

/** Kill Bill serialises BigDecimal as a JSON number; a numeric string is accepted too. */
const ZAmount = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, { message: "must be a decimal number" })
    .transform(Number),
]);

const ZNullableString = z.string().nullish();

export const ZKbAccount = z.looseObject({
  accountId: z.string().min(1),
  externalKey: ZNullableString,
  name: ZNullableString,
  email: ZNullableString,
  currency: ZNullableString,
});
export type KbAccount = z.infer<typeof ZKbAccount>;

export const ZKbSubscriptionState = z.enum(["PENDING", "ACTIVE", "BLOCKED", "CANCELLED", "EXPIRED"]);

export const ZKbSubscription = z.looseObject({
  subscriptionId: z.string().min(1),
  accountId: z.string().min(1),
  bundleId: ZNullableString,
  bundleExternalKey: ZNullableString,
  externalKey: ZNullableString,
  productCategory: ZNullableString,
  /** Both may be null while a future-dated subscription has no active plan yet. */
  planName: ZNullableString,
  phaseType: ZNullableString,
  state: ZKbSubscriptionState,
  startDate: ZNullableString,
  chargedThroughDate: ZNullableString,
  cancelledDate: ZNullableString,
});
export type KbSubscription = z.infer<typeof ZKbSubscription>;

export const ZKbBundle = z.looseObject({
  accountId: z.string().min(1),
  bundleId: z.string().min(1),
  externalKey: ZNullableString,
  subscriptions: z.array(ZKbSubscription).nullish(),
});
export type KbBundle = z.infer<typeof ZKbBundle>;

export const ZKbInvoiceItem = z.looseObject({
  invoiceItemId: ZNullableString,
  subscriptionId: ZNullableString,
  itemType: ZNullableString,
  amount: ZAmount.nullish(),
});
export type KbInvoiceItem = z.infer<typeof ZKbInvoiceItem>;

export const ZKbInvoice = z.looseObject({
  invoiceId: z.string().min(1),
  accountId: z.string().min(1),
  /** A string in the spec; accepted as a number too. */
  invoiceNumber: z.union([z.string().min(1), z.number().int()]),
  invoiceDate: z.string().min(1),
  amount: ZAmount,
  balance: ZAmount,
  currency: z.string().min(1),
  status: z.enum(["DRAFT", "COMMITTED", "VOID"]),
  items: z.array(ZKbInvoiceItem).nullish(),
});
export type KbInvoice = z.infer<typeof ZKbInvoice>;

export const ZKbInvoicePayment = z.looseObject({
  paymentId: ZNullableString,
  targetInvoiceId: ZNullableString,
  paymentExternalKey: ZNullableString,
  purchasedAmount: ZAmount.nullish(),
});
export type KbInvoicePayment = z.infer<typeof ZKbInvoicePayment>;

const ZKbPrice = z.looseObject({
  currency: z.string().min(1),
  value: ZAmount,
});

const ZKbDuration = z.looseObject({
  unit: z.enum(["DAYS", "WEEKS", "MONTHS", "YEARS", "UNLIMITED"]),
  number: z.number().int().nullish(),
});

export const ZKbPhase = z.looseObject({
  type: z.string().min(1),
  prices: z.array(ZKbPrice).nullish(),
  fixedPrices: z.array(ZKbPrice).nullish(),
  duration: ZKbDuration.nullish(),
});
export type KbPhase = z.infer<typeof ZKbPhase>;

export const ZKbPlan = z.looseObject({
  name: z.string().min(1),
  billingPeriod: ZNullableString,
  phases: z.array(ZKbPhase).nullish(),
});
export type KbPlan = z.infer<typeof ZKbPlan>;

export const ZKbProduct = z.looseObject({
  /** Product category: BASE, ADD_ON or STANDALONE. */
  type: z.string().min(1),
  name: z.string().min(1),
  plans: z.array(ZKbPlan).nullish(),
});
export type KbProduct = z.infer<typeof ZKbProduct>;

export const ZKbCatalog = z.looseObject({
  name: ZNullableString,
  effectiveDate: z.string().min(1),
  products: z.array(ZKbProduct).nullish(),
});
export type KbCatalog = z.infer<typeof ZKbCatalog>;

export const ZKbTenantKeyValue = z.looseObject({
  key: ZNullableString,
  values: z.array(z.string()).nullish(),
});

/** Kill Bill's error body (BillingExceptionJson); only its message is shown. */
export const ZKbError = z.looseObject({ message: z.string() });
