import type { CatalogPhase, CatalogPlan, CatalogPrice } from "./catalog-xml.ts";
import { addDuration, addMonths } from "./dates.ts";
import { refusals } from "./errors.ts";
import { entitlementEvent, subscriptionEvent } from "./events.ts";
import { createInvoice, type InvoiceItemDraft } from "./invoices.ts";
import type { Ledger, ScheduledPhase, SubscriptionRecord } from "./ledger.ts";

/**
 * What time does to subscriptions: phase changes (TRIAL -> EVERGREEN), the invoice of each new
 * phase and of each recurring period (billed in advance, on the anniversary of the recurring
 * phase's start: billingAlignment SUBSCRIPTION), and cancellations that become effective.
 */

/** The plan's phases from `firstIndex` on, each starting when the previous one ends. */
export function schedulePhases(plan: CatalogPlan, firstIndex: number, start: Date): ScheduledPhase[] {
  const schedule: ScheduledPhase[] = [];
  let phaseStart: Date | null = start;
  for (const phase of plan.phases.slice(firstIndex)) {
    if (phaseStart === null) break;
    schedule.push({ phase, start: phaseStart });
    phaseStart = addDuration(phaseStart, phase.duration);
  }
  return schedule;
}

export function currentPhase(subscription: SubscriptionRecord): ScheduledPhase {
  const current = subscription.schedule[subscription.phaseIndex];
  if (!current) throw new Error(`subscription ${subscription.subscriptionId} has no phase ${subscription.phaseIndex}`);
  return current;
}

export function phaseName(plan: CatalogPlan, phase: CatalogPhase): string {
  return `${plan.name}-${phase.type.toLowerCase()}`;
}

function priceIn(prices: CatalogPrice[], currency: string): number {
  const price = prices.find((candidate) => candidate.currency === currency);
  if (!price) throw refusals.noPriceForCurrency(currency);
  return price.cents;
}

/** An empty <fixedPrice/> is $0 in every currency; a listed one must have the currency. */
function fixedPriceIn(phase: CatalogPhase, currency: string): number {
  const prices = phase.fixedPrices ?? [];
  return prices.length === 0 ? 0 : priceIn(prices, currency);
}

/** Refuses a plan that cannot be billed in the account's currency (before anything is stored). */
export function checkPlanPrices(plan: CatalogPlan, currency: string): void {
  for (const phase of plan.phases) {
    fixedPriceIn(phase, currency);
    if (phase.recurring) priceIn(phase.recurring.prices, currency);
  }
}

export function accountCurrency(ledger: Ledger, accountId: string): string {
  return ledger.state.accounts.get(accountId)?.fields.currency ?? "USD";
}

function itemBase(subscription: SubscriptionRecord, phase: CatalogPhase) {
  return {
    subscriptionId: subscription.subscriptionId,
    bundleId: subscription.bundleId,
    productName: subscription.plan.productName,
    planName: subscription.plan.name,
    prettyPlanName: subscription.plan.prettyName,
    phaseName: phaseName(subscription.plan, phase),
    catalogEffectiveDate: subscription.catalogEffectiveDate,
  };
}

function fixedItem(subscription: SubscriptionRecord, scheduled: ScheduledPhase, currency: string): InvoiceItemDraft {
  const cents = fixedPriceIn(scheduled.phase, currency);
  return { ...itemBase(subscription, scheduled.phase), itemType: "FIXED", startDate: scheduled.start, endDate: null, cents, rateCents: null };
}

/** The next recurring period of the current phase; moves chargedThrough to its end. */
function nextRecurringItem(subscription: SubscriptionRecord, currency: string): InvoiceItemDraft {
  const { phase, start } = currentPhase(subscription);
  if (!phase.recurring) throw new Error(`phase ${phase.type} of ${subscription.plan.name} has no recurring price`);
  const cents = priceIn(phase.recurring.prices, currency);
  const periodStart = addMonths(start, phase.recurring.months * subscription.billedPeriods);
  const periodEnd = addMonths(start, phase.recurring.months * (subscription.billedPeriods + 1));
  subscription.billedPeriods += 1;
  subscription.chargedThrough = periodEnd;
  return { ...itemBase(subscription, phase), itemType: "RECURRING", startDate: periodStart, endDate: periodEnd, cents, rateCents: cents };
}

/** Invoices the start of the current phase: its fixed price and/or its first recurring period. */
export function invoicePhaseStart(ledger: Ledger, subscription: SubscriptionRecord): void {
  const scheduled = currentPhase(subscription);
  const currency = accountCurrency(ledger, subscription.accountId);
  const drafts: InvoiceItemDraft[] = [];
  subscription.billedPeriods = 0;
  subscription.chargedThrough = scheduled.start;
  if (scheduled.phase.fixedPrices !== null) drafts.push(fixedItem(subscription, scheduled, currency));
  if (scheduled.phase.recurring) drafts.push(nextRecurringItem(subscription, currency));
  if (drafts.length > 0) createInvoice(ledger, subscription.accountId, currency, scheduled.start, drafts);
}

/** The cancellation takes effect at `at`: SUBSCRIPTION_CANCEL (EFFECTIVE) then ENTITLEMENT_CANCEL. */
export function cancelEffective(ledger: Ledger, subscription: SubscriptionRecord, at: Date): void {
  subscription.state = "CANCELLED";
  subscription.cancelDate = at;
  ledger.emit(subscriptionEvent("SUBSCRIPTION_CANCEL", subscription, "EFFECTIVE"));
  ledger.emit(entitlementEvent("ENTITLEMENT_CANCEL", subscription));
}

type DueKind = "cancel" | "phase" | "renewal";

interface DueEvent {
  subscription: SubscriptionRecord;
  kind: DueKind;
  at: Date;
}

/** At the same instant a cancellation wins over a phase change, which comes before a renewal. */
const KIND_ORDER: Record<DueKind, number> = { cancel: 0, phase: 1, renewal: 2 };

const before = (date: Date, limit: Date | null): boolean => limit === null || date.getTime() < limit.getTime();

function pendingEvents(subscription: SubscriptionRecord): DueEvent[] {
  if (subscription.state !== "ACTIVE") return [];
  const { cancelDate } = subscription;
  const events: DueEvent[] = [];
  if (cancelDate) events.push({ subscription, kind: "cancel", at: cancelDate });
  const next = subscription.schedule[subscription.phaseIndex + 1];
  if (next && before(next.start, cancelDate)) events.push({ subscription, kind: "phase", at: next.start });
  const renews = currentPhase(subscription).phase.recurring !== null && subscription.billedPeriods > 0;
  if (renews && before(subscription.chargedThrough, cancelDate)) {
    events.push({ subscription, kind: "renewal", at: subscription.chargedThrough });
  }
  return events;
}

function compareEvents(a: DueEvent, b: DueEvent): number {
  return a.at.getTime() - b.at.getTime() || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}

function applyEvent(ledger: Ledger, event: DueEvent): void {
  const { subscription, at } = event;
  switch (event.kind) {
    case "cancel":
      cancelEffective(ledger, subscription, at);
      return;
    case "phase":
      subscription.phaseIndex += 1;
      ledger.emit(subscriptionEvent("SUBSCRIPTION_PHASE", subscription, "EFFECTIVE"));
      invoicePhaseStart(ledger, subscription);
      return;
    case "renewal": {
      const currency = accountCurrency(ledger, subscription.accountId);
      createInvoice(ledger, subscription.accountId, currency, at, [nextRecurringItem(subscription, currency)]);
      return;
    }
  }
}

const MAX_EVENTS_PER_RUN = 100_000;

/** Applies, in time order, every phase change, renewal and cancellation due by the clock's now. */
export function processDueEvents(ledger: Ledger): number {
  const now = ledger.now().getTime();
  for (let applied = 0; applied < MAX_EVENTS_PER_RUN; applied += 1) {
    const due = [...ledger.state.subscriptions.values()]
      .flatMap(pendingEvents)
      .filter((event) => event.at.getTime() <= now)
      .sort(compareEvents)[0];
    if (!due) return applied;
    applyEvent(ledger, due);
  }
  throw new Error(`more than ${MAX_EVENTS_PER_RUN} billing events due at once: advance the clock in smaller steps`);
}
