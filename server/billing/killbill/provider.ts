import { logger as defaultLogger } from "../../logger";
import {
  BillingProviderError,
  type BillingProvider,
  type CatalogPlan,
  type CreateSubscriptionInput,
  type CustomerRef,
  type ExternalPaymentInput,
} from "../types";
import type { KillbillClient } from "./client";
import {
  catalogPlans,
  centsToAmount,
  isLiveSubscription,
  liveSubscriptionInBundles,
  toInvoiceView,
  toSubscriptionView,
} from "./mapping";

/** The billing provider on Kill Bill: the BillingProvider interface over a KillbillClient. */

export interface ProviderLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface KillbillProviderOptions {
  /** How long the catalog's plans are kept in memory (default 5 minutes). */
  catalogTtlMs?: number;
  now?: () => number;
  logger?: ProviderLog;
}

const CURRENCY = "USD";
const DEFAULT_CATALOG_TTL_MS = 5 * 60_000;

function hasStatus(error: unknown, ...statuses: number[]): error is BillingProviderError {
  return error instanceof BillingProviderError && error.status !== undefined && statuses.includes(error.status);
}

/** Memoises `load` for ttlMs; concurrent callers share one request, a failure is not kept. */
function cached<T>(load: () => Promise<T>, ttlMs: number, now: () => number): () => Promise<T> {
  let entry: { expiresAt: number; value: Promise<T> } | null = null;
  return () => {
    if (entry && entry.expiresAt > now()) return entry.value;
    const current = { expiresAt: now() + ttlMs, value: load() };
    entry = current;
    current.value.catch(() => {
      if (entry === current) entry = null;
    });
    return current.value;
  };
}

export function createKillbillProvider(client: KillbillClient, options: KillbillProviderOptions = {}): BillingProvider {
  const log = options.logger ?? defaultLogger;

  async function loadCatalogPlans(): Promise<CatalogPlan[]> {
    const { plans, skipped } = catalogPlans(await client.getCatalog(), CURRENCY);
    if (skipped.length > 0) log.warn({ skipped }, "Kill Bill catalog: base plans left out of the plan list");
    return plans;
  }
  const catalog = cached(loadCatalogPlans, options.catalogTtlMs ?? DEFAULT_CATALOG_TTL_MS, options.now ?? Date.now);

  async function accountIdByKey(customerId: string): Promise<string | null> {
    return (await client.getAccountByExternalKey(customerId))?.accountId ?? null;
  }

  /** The live subscription already created for this instance, looked up by its keys. */
  async function existingSubscriptionId(input: CreateSubscriptionInput): Promise<string | null> {
    const byKey = await client.getSubscriptionByExternalKey(input.instanceId);
    const found =
      byKey && isLiveSubscription(byKey)
        ? byKey
        : liveSubscriptionInBundles(await client.getAccountBundles(input.accountId, input.instanceId), input.instanceId);
    if (!found) return null;
    if (found.accountId !== input.accountId) {
      throw new BillingProviderError(`Kill Bill subscription ${found.subscriptionId} of instance ${input.instanceId} belongs to another account`);
    }
    return found.subscriptionId;
  }

  async function paymentRecorded(input: ExternalPaymentInput): Promise<boolean> {
    const payments = await client.getInvoicePayments(input.invoiceId);
    return payments.some((payment) => payment.paymentExternalKey === input.externalKey);
  }

  return {
    name: "killbill",

    listCatalogPlans: async () => (await catalog()).map((plan) => ({ ...plan })),

    async ensureAccount(customer: CustomerRef) {
      const existing = await accountIdByKey(customer.id);
      if (existing) return existing;
      try {
        return await client.createAccount({
          name: customer.name,
          email: customer.email,
          externalKey: customer.id,
          currency: CURRENCY,
          ...(customer.company ? { company: customer.company } : {}),
        });
      } catch (error) {
        // ACCOUNT_ALREADY_EXISTS (409): another call created it since our lookup.
        const raced = hasStatus(error, 409) ? await accountIdByKey(customer.id) : null;
        if (raced) return raced;
        throw error;
      }
    },

    async createSubscription(input) {
      const existing = await existingSubscriptionId(input);
      if (existing) return existing;
      try {
        return await client.createSubscription({
          accountId: input.accountId,
          planName: input.planName,
          externalKey: input.instanceId,
          bundleExternalKey: input.instanceId,
          // UNVERIFIED against a live Kill Bill (killbill.md A.2): Subscription.phaseType is passed
          // to the plan-phase specifier and should start the plan in EVERGREEN, skipping the
          // catalog's TRIAL. Check the SUBSCRIPTION_CREATION/invoice of a trial: false create.
          ...(input.trial ? {} : { phaseType: "EVERGREEN" as const }),
        });
      } catch (error) {
        // A concurrent create won: Kill Bill answers 400 for an active bundle key or a bundle that
        // already has a base plan (its mappers send SUB_CREATE_* codes to 400), 409 elsewhere.
        const raced = hasStatus(error, 400, 409) ? await existingSubscriptionId(input) : null;
        if (raced) {
          log.info({ instanceId: input.instanceId, subscriptionId: raced }, "Kill Bill subscription already existed");
          return raced;
        }
        throw error;
      }
    },

    async getSubscription(subscriptionId) {
      const subscription = await client.getSubscription(subscriptionId);
      return subscription ? toSubscriptionView(subscription) : null;
    },

    async cancelSubscription(subscriptionId, policy) {
      const current = await client.getSubscription(subscriptionId);
      if (!current) throw new BillingProviderError(`Kill Bill has no subscription ${subscriptionId}`, 404);
      if (!isLiveSubscription(current)) return;
      if (policy === "END_OF_TERM" && current.cancelledDate) return;
      await client.cancelSubscription(subscriptionId, policy);
    },

    async changePlan(subscriptionId, planName) {
      const current = await client.getSubscription(subscriptionId);
      if (current?.planName === planName) return;
      await client.changePlan(subscriptionId, planName);
    },

    async getInvoice(invoiceId) {
      const invoice = await client.getInvoice(invoiceId);
      return invoice ? toInvoiceView(invoice) : null;
    },

    async listInvoices(accountId) {
      return (await client.getAccountInvoices(accountId)).map(toInvoiceView);
    },

    async recordExternalPayment(input) {
      if (!Number.isInteger(input.amountCents) || input.amountCents <= 0) {
        throw new BillingProviderError(`external payment amount must be a positive number of cents, got ${input.amountCents}`);
      }
      if (await paymentRecorded(input)) return;
      try {
        await client.createExternalPayment(input.invoiceId, {
          accountId: input.accountId,
          targetInvoiceId: input.invoiceId,
          purchasedAmount: centsToAmount(input.amountCents),
          paymentExternalKey: input.externalKey,
        });
      } catch (error) {
        // A timeout or a concurrent call may have recorded it after all.
        if (error instanceof BillingProviderError && (await paymentRecorded(input))) return;
        throw error;
      }
    },
  };
}
