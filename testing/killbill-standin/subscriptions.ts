import { randomUUID } from "node:crypto";
import { requireAccount } from "./accounts.ts";
import {
  accountCurrency,
  cancelEffective,
  checkPlanPrices,
  currentPhase,
  invoicePhaseStart,
  schedulePhases,
} from "./billing-cycle.ts";
import { catalogAt, requirePlan } from "./catalog.ts";
import { planBillingPeriod } from "./catalog-json.ts";
import type { CatalogPlan } from "./catalog-xml.ts";
import { dateTime, localDate } from "./dates.ts";
import { refusals } from "./errors.ts";
import { entitlementEvent, subscriptionEvent } from "./events.ts";
import type { BundleJson, SubscriptionJson } from "./json-types.ts";
import type { Ledger, SubscriptionRecord } from "./ledger.ts";
import type { TSubscriptionBody } from "./request-schemas.ts";

/** The index of the phase to start in: the one of `phaseType` when given, else the first. */
function startPhaseIndex(plan: CatalogPlan, phaseType: string | null | undefined): number {
  if (!phaseType) return 0;
  const index = plan.phases.findIndex((phase) => phase.type === phaseType);
  if (index < 0) throw refusals.badPhase(`${plan.name}-${phaseType.toLowerCase()}`);
  return index;
}

function activeWithKey(ledger: Ledger, key: string): SubscriptionRecord | undefined {
  return [...ledger.state.subscriptions.values()].find(
    (subscription) => subscription.state === "ACTIVE" && (subscription.externalKey === key || subscription.bundleExternalKey === key),
  );
}

/**
 * POST /1.0/kb/subscriptions by planName (the productName/billingPeriod/priceList form is not
 * supported). Pushes SUBSCRIPTION_CREATION and ENTITLEMENT_CREATION, then invoices the first
 * phase: $0 for a trial, one period in advance for EVERGREEN.
 */
export function createSubscription(ledger: Ledger, body: TSubscriptionBody): SubscriptionRecord {
  if (!body.accountId) throw refusals.badRequest("SubscriptionJson accountId needs to be set");
  const account = requireAccount(ledger, body.accountId);
  const now = ledger.now();
  const catalog = catalogAt(ledger, now);
  if (!body.planName) throw refusals.badRequest("SubscriptionJson planName needs to be set (the stand-in supports planName only)");
  const { plan, priceList, version } = requirePlan(catalog, body.planName);
  const currency = account.fields.currency;
  if (!currency) throw refusals.badRequest(`Account ${account.accountId} has no currency`);
  checkPlanPrices(plan, currency);
  const subscriptionId = randomUUID();
  const externalKey = body.externalKey ?? subscriptionId;
  const bundleExternalKey = body.bundleExternalKey ?? externalKey;
  for (const key of new Set([externalKey, bundleExternalKey])) {
    if (activeWithKey(ledger, key)) throw refusals.activeBundleKeyExists(key);
  }
  const subscription: SubscriptionRecord = {
    subscriptionId,
    accountId: account.accountId,
    bundleId: randomUUID(),
    bundleExternalKey,
    externalKey,
    plan,
    priceList,
    catalogEffectiveDate: version.effectiveDate,
    startDate: now,
    schedule: schedulePhases(plan, startPhaseIndex(plan, body.phaseType), now),
    phaseIndex: 0,
    billedPeriods: 0,
    chargedThrough: now,
    state: "ACTIVE",
    cancelDate: null,
  };
  ledger.state.subscriptions.set(subscriptionId, subscription);
  ledger.emit(subscriptionEvent("SUBSCRIPTION_CREATION", subscription, "EFFECTIVE"));
  ledger.emit(entitlementEvent("ENTITLEMENT_CREATION", subscription));
  invoicePhaseStart(ledger, subscription);
  return subscription;
}

export function requireSubscription(ledger: Ledger, subscriptionId: string): SubscriptionRecord {
  const subscription = ledger.state.subscriptions.get(subscriptionId);
  if (!subscription) throw refusals.subscriptionNotFound(subscriptionId);
  return subscription;
}

/** GET /1.0/kb/subscriptions?externalKey=: the latest subscription with that key. */
export function requireSubscriptionByKey(ledger: Ledger, externalKey: string): SubscriptionRecord {
  const matches = [...ledger.state.subscriptions.values()].filter((subscription) => subscription.externalKey === externalKey);
  const latest = matches.at(-1);
  if (!latest) throw refusals.subscriptionKeyNotFound(externalKey);
  return latest;
}

export type EntitlementPolicy = "IMMEDIATE" | "END_OF_TERM";

/**
 * DELETE /1.0/kb/subscriptions/{id}. IMMEDIATE: cancelled now. END_OF_TERM: at the end of what
 * has been invoiced (now during a $0 trial), with SUBSCRIPTION_CANCEL REQUESTED now and
 * EFFECTIVE when the clock gets there.
 */
export function cancelSubscription(ledger: Ledger, subscriptionId: string, policy: EntitlementPolicy): void {
  const subscription = requireSubscription(ledger, subscriptionId);
  if (subscription.state === "CANCELLED") throw refusals.cancelBadState(subscriptionId);
  const now = ledger.now();
  const endOfTerm = subscription.chargedThrough.getTime() > now.getTime() ? subscription.chargedThrough : now;
  const effective = policy === "IMMEDIATE" ? now : endOfTerm;
  if (effective.getTime() <= now.getTime()) {
    cancelEffective(ledger, subscription, now);
    return;
  }
  subscription.cancelDate = effective;
  ledger.emit(subscriptionEvent("SUBSCRIPTION_CANCEL", subscription, "REQUESTED"));
}

/** PUT /1.0/kb/subscriptions/{id}/uncancel: drops a pending (future) cancellation. */
export function uncancelSubscription(ledger: Ledger, subscriptionId: string): void {
  const subscription = requireSubscription(ledger, subscriptionId);
  if (subscription.state !== "ACTIVE" || subscription.cancelDate === null) throw refusals.uncancelBadState(subscriptionId);
  subscription.cancelDate = null;
  ledger.emit(subscriptionEvent("SUBSCRIPTION_UNCANCEL", subscription, "EFFECTIVE"));
}

/**
 * PUT /1.0/kb/subscriptions/{id} {planName}: an immediate change that keeps the current phase
 * (a trial stays a trial, same start); the new price applies from the next period. Kill Bill
 * would also invoice the prorated difference; the stand-in does not.
 */
export function changePlan(ledger: Ledger, subscriptionId: string, body: TSubscriptionBody): void {
  const subscription = requireSubscription(ledger, subscriptionId);
  if (subscription.state !== "ACTIVE") throw refusals.changeNonActive(subscriptionId, subscription.state);
  if (subscription.cancelDate) throw refusals.changeFutureCancelled(subscriptionId);
  if (!body.planName) throw refusals.badRequest("SubscriptionJson planName needs to be set (the stand-in supports planName only)");
  const now = ledger.now();
  const { plan, priceList, version } = requirePlan(catalogAt(ledger, now), body.planName);
  checkPlanPrices(plan, accountCurrency(ledger, subscription.accountId));
  const current = currentPhase(subscription);
  const sameType = plan.phases.findIndex((phase) => phase.type === current.phase.type);
  subscription.schedule = schedulePhases(plan, sameType < 0 ? plan.phases.length - 1 : sameType, current.start);
  subscription.phaseIndex = 0;
  subscription.plan = plan;
  subscription.priceList = priceList;
  subscription.catalogEffectiveDate = version.effectiveDate;
  ledger.emit(subscriptionEvent("SUBSCRIPTION_CHANGE", subscription, "EFFECTIVE"));
}

/** Day of month of the first recurring phase's start (billingAlignment SUBSCRIPTION). */
function billCycleDay(subscription: SubscriptionRecord): number {
  const recurring = subscription.schedule.find((scheduled) => scheduled.phase.recurring !== null);
  return recurring ? recurring.start.getUTCDate() : 0;
}

export function subscriptionJson(subscription: SubscriptionRecord): SubscriptionJson {
  const cancelledDate = subscription.cancelDate ? dateTime(subscription.cancelDate) : null;
  return {
    accountId: subscription.accountId,
    bundleId: subscription.bundleId,
    bundleExternalKey: subscription.bundleExternalKey,
    subscriptionId: subscription.subscriptionId,
    externalKey: subscription.externalKey,
    startDate: dateTime(subscription.startDate),
    productName: subscription.plan.productName,
    productCategory: "BASE",
    billingPeriod: planBillingPeriod(subscription.plan),
    phaseType: currentPhase(subscription).phase.type,
    priceList: subscription.priceList,
    planName: subscription.plan.name,
    state: subscription.state,
    sourceType: "NATIVE",
    cancelledDate,
    chargedThroughDate: localDate(subscription.chargedThrough),
    billingStartDate: dateTime(subscription.startDate),
    billingEndDate: cancelledDate,
    billCycleDayLocal: billCycleDay(subscription),
    quantity: 1,
    events: [],
    priceOverrides: null,
    prices: [],
    auditLogs: [],
  };
}

/** GET /1.0/kb/accounts/{id}/bundles[?externalKey=]: one bundle per subscription here. */
export function bundlesOfAccount(ledger: Ledger, accountId: string, externalKey: string | null): BundleJson[] {
  requireAccount(ledger, accountId);
  const bundles = [...ledger.state.subscriptions.values()]
    .filter((subscription) => subscription.accountId === accountId)
    .filter((subscription) => externalKey === null || subscription.bundleExternalKey === externalKey)
    .map((subscription) => ({
      accountId,
      bundleId: subscription.bundleId,
      externalKey: subscription.bundleExternalKey,
      subscriptions: [subscriptionJson(subscription)],
      timeline: null,
      auditLogs: [] as [],
    }));
  if (externalKey !== null && bundles.length === 0) throw refusals.bundleKeyNotFound(externalKey);
  return bundles;
}
