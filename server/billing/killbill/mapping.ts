import type { CatalogPlan, InvoiceView, SubscriptionView } from "../types";
import type { KbBundle, KbCatalog, KbInvoice, KbPhase, KbPlan, KbProduct, KbSubscription } from "./schemas";

/** Pure conversions between Kill Bill's JSON and the provider-neutral views of ../types. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Kill Bill ids are UUIDs: anything else cannot name a Kill Bill object. */
export function isKillbillId(value: string): boolean {
  return UUID.test(value);
}

/**
 * The id of a created object: the last path segment of the 201's Location header. Only the path
 * is read, so a Location naming an internal host (Kill Bill behind a proxy) is never followed.
 * Returns null when the header is missing or its last segment is not a UUID.
 */
export function idFromLocation(location: string | null | undefined): string | null {
  if (!location) return null;
  let pathname: string;
  try {
    pathname = new URL(location, "http://location.invalid").pathname;
  } catch {
    return null;
  }
  const segment = pathname.split("/").filter(Boolean).at(-1);
  if (segment === undefined) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return isKillbillId(decoded) ? decoded : null;
}

/** Decimal amount (dollars) to integer cents; 19.99 -> 1999 despite binary floating point. */
export function toCents(amount: number): number {
  return Math.round(amount * 100) || 0;
}

export function centsToAmount(cents: number): number {
  return cents / 100;
}

function instant(date: string): number {
  const time = Date.parse(date);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** The catalog version with the latest effectiveDate (the last one listed on a tie), or null. */
export function latestCatalog(catalogs: readonly KbCatalog[]): KbCatalog | null {
  let latest: KbCatalog | null = null;
  for (const catalog of catalogs) {
    if (latest === null || instant(catalog.effectiveDate) >= instant(latest.effectiveDate)) latest = catalog;
  }
  return latest;
}

export interface SkippedPlan {
  planName: string;
  reason: string;
}

export interface CatalogPlansResult {
  plans: CatalogPlan[];
  /** BASE plans that cannot be shown as a monthly price with a trial in days, and why. */
  skipped: SkippedPlan[];
}

/** Length of a phase in days; null when it is not a whole number of days or weeks. */
export function durationDays(duration: KbPhase["duration"]): number | null {
  if (!duration || duration.number === null || duration.number === undefined) return null;
  if (duration.unit === "DAYS") return duration.number;
  if (duration.unit === "WEEKS") return duration.number * 7;
  return null;
}

function phaseOf(plan: KbPlan, type: string): KbPhase | undefined {
  return plan.phases?.find((phase) => phase.type === type);
}

function planFrom(product: KbProduct, plan: KbPlan, currency: string): CatalogPlan | SkippedPlan {
  const skip = (reason: string): SkippedPlan => ({ planName: plan.name, reason });
  if (plan.billingPeriod && plan.billingPeriod !== "MONTHLY") {
    return skip(`billing period is ${plan.billingPeriod}, not MONTHLY`);
  }
  const evergreen = phaseOf(plan, "EVERGREEN");
  if (!evergreen) return skip("has no EVERGREEN phase");
  const price = evergreen.prices?.find((candidate) => candidate.currency === currency);
  if (!price) return skip(`EVERGREEN phase has no recurring ${currency} price`);
  const trial = phaseOf(plan, "TRIAL");
  const trialDays = trial ? durationDays(trial.duration) : 0;
  if (trialDays === null) return skip("TRIAL phase duration is not in days or weeks");
  return {
    planName: plan.name,
    productName: product.name,
    currency,
    monthlyPriceCents: toCents(price.value),
    trialDays,
  };
}

/**
 * Base plans of the latest catalog version: the EVERGREEN phase's recurring price in `currency`
 * (cents) and the TRIAL phase's length in days (0 without a TRIAL phase).
 */
export function catalogPlans(catalogs: readonly KbCatalog[], currency = "USD"): CatalogPlansResult {
  const result: CatalogPlansResult = { plans: [], skipped: [] };
  const catalog = latestCatalog(catalogs);
  for (const product of catalog?.products ?? []) {
    if (product.type !== "BASE") continue;
    for (const plan of product.plans ?? []) {
      const mapped = planFrom(product, plan, currency);
      if ("reason" in mapped) result.skipped.push(mapped);
      else result.plans.push(mapped);
    }
  }
  return result;
}

export function toSubscriptionView(subscription: KbSubscription): SubscriptionView {
  return {
    subscriptionId: subscription.subscriptionId,
    accountId: subscription.accountId,
    externalKey: subscription.externalKey ?? null,
    // Empty while a future-dated (PENDING) subscription has no active plan.
    planName: subscription.planName ?? "",
    phaseType: subscription.phaseType ?? "",
    state: subscription.state,
    startDate: subscription.startDate ?? null,
    chargedThroughDate: subscription.chargedThroughDate ?? null,
    cancelledDate: subscription.cancelledDate ?? null,
  };
}

/** Distinct subscription ids of the invoice's items, in order of first appearance. */
export function invoiceSubscriptionIds(invoice: KbInvoice): string[] {
  const ids = (invoice.items ?? []).map((item) => item.subscriptionId).filter((id): id is string => !!id);
  return [...new Set(ids)];
}

export function toInvoiceView(invoice: KbInvoice): InvoiceView {
  return {
    invoiceId: invoice.invoiceId,
    accountId: invoice.accountId,
    invoiceNumber: String(invoice.invoiceNumber),
    invoiceDate: invoice.invoiceDate,
    amountCents: toCents(invoice.amount),
    balanceCents: toCents(invoice.balance),
    currency: invoice.currency,
    status: invoice.status,
    subscriptionIds: invoiceSubscriptionIds(invoice),
  };
}

/** A subscription that still runs or will run (not CANCELLED or EXPIRED). */
export function isLiveSubscription(subscription: Pick<KbSubscription, "state">): boolean {
  return subscription.state !== "CANCELLED" && subscription.state !== "EXPIRED";
}

/**
 * The live base subscription of the bundle whose externalKey is `externalKey` (the instance id),
 * or null. Used when a create conflicts with a bundle created before subscriptions carried the key.
 */
export function liveSubscriptionInBundles(bundles: readonly KbBundle[], externalKey: string): KbSubscription | null {
  for (const bundle of bundles) {
    if (bundle.externalKey !== externalKey) continue;
    const found = (bundle.subscriptions ?? []).find(
      (subscription) => isLiveSubscription(subscription) && (subscription.productCategory ?? "BASE") === "BASE",
    );
    if (found) return found;
  }
  return null;
}

/** The root <effectiveDate> of a catalog XML document, or null when it has none. */
export function catalogXmlEffectiveDate(xml: string): string | null {
  const match = /<effectiveDate>\s*([^<]+?)\s*<\/effectiveDate>/.exec(xml);
  return match?.[1] ?? null;
}

/** True when both strings name the same instant ("2025-01-01T00:00:00+00:00" vs "...Z"). */
export function sameInstant(a: string, b: string): boolean {
  const left = Date.parse(a);
  return !Number.isNaN(left) && left === Date.parse(b);
}
