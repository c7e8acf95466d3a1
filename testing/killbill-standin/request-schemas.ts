import { z } from "zod";
import { refusals } from "./errors.ts";

/**
 * Request bodies as Kill Bill's Jackson reads them: the swagger definition's properties, any of
 * which may be absent or null; a property the definition does not have is refused (400), like
 * Jackson's UnrecognizedPropertyException.
 */

const text = z.string().nullish();
const amount = z.number().nullish();
const flag = z.boolean().nullish();
const anyList = z.array(z.unknown()).nullish();

export const ZAccountBody = z.strictObject({
  accountId: text,
  name: text,
  firstNameLength: z.number().int().nullish(),
  externalKey: text,
  email: text,
  billCycleDayLocal: z.number().int().nullish(),
  currency: text,
  parentAccountId: text,
  isPaymentDelegatedToParent: flag,
  paymentMethodId: text,
  referenceTime: text,
  timeZone: text,
  address1: text,
  address2: text,
  postalCode: text,
  company: text,
  city: text,
  state: text,
  country: text,
  locale: text,
  phone: text,
  notes: text,
  isMigrated: flag,
  accountBalance: amount,
  accountCBA: amount,
  auditLogs: anyList,
});
export type TAccountBody = z.infer<typeof ZAccountBody>;

export const ZSubscriptionBody = z.strictObject({
  accountId: text,
  bundleId: text,
  bundleExternalKey: text,
  subscriptionId: text,
  externalKey: text,
  startDate: text,
  productName: text,
  productCategory: text,
  billingPeriod: text,
  phaseType: z.enum(["TRIAL", "DISCOUNT", "FIXEDTERM", "EVERGREEN"]).nullish(),
  priceList: text,
  planName: text,
  state: text,
  sourceType: text,
  cancelledDate: text,
  chargedThroughDate: text,
  billingStartDate: text,
  billingEndDate: text,
  billCycleDayLocal: z.number().int().nullish(),
  quantity: z.number().int().nullish(),
  events: anyList,
  priceOverrides: anyList,
  prices: anyList,
  auditLogs: anyList,
});
export type TSubscriptionBody = z.infer<typeof ZSubscriptionBody>;

export const ZInvoicePaymentBody = z.strictObject({
  targetInvoiceId: text,
  accountId: text,
  paymentId: text,
  paymentNumber: text,
  paymentExternalKey: text,
  authAmount: amount,
  capturedAmount: amount,
  purchasedAmount: amount,
  refundedAmount: amount,
  creditedAmount: amount,
  currency: text,
  paymentMethodId: text,
  transactions: anyList,
  paymentAttempts: anyList,
  auditLogs: anyList,
});
export type TInvoicePaymentBody = z.infer<typeof ZInvoicePaymentBody>;

/** The body the stand-in's /__standin/push control accepts: a NotificationJson. */
export const ZNotificationBody = z.strictObject({
  eventType: z.string().min(1),
  accountId: z.string().nullable(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  metaData: z.string().nullable(),
});

/** Validates a parsed JSON body; a mismatch is Kill Bill's 400 with the offending field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, typeName: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.map(String).join(".") || "body";
  throw refusals.badRequest(`Cannot read ${typeName}: ${where}: ${issue?.message ?? "invalid"}`);
}
