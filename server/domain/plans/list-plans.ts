import { billingProvider } from "../../billing";
import type { BillingProvider } from "../../billing/types";
import { db } from "../../db";
import { logger } from "../../logger";

/**
 * Plans: resource limits from our Plan table, prices and trial length from the billing
 * provider's catalog (never from code). A plan missing from the catalog is not offered. When
 * the provider cannot be reached, the plans are listed without prices (priceCents null).
 */
export async function listPlans(provider: BillingProvider = billingProvider()) {
  const [plans, catalog] = await Promise.all([
    db.plan.findMany({
      orderBy: { sortOrder: "asc" },
      select: { id: true, displayName: true, cpu: true, memoryMb: true, storageGb: true, maxInstances: true, allowedSeries: true, backupKeepDaily: true },
    }),
    provider.listCatalogPlans().catch((error: unknown) => {
      logger.warn({ err: error }, "billing catalog unavailable: plans listed without prices");
      return null;
    }),
  ]);
  type Priced = (typeof plans)[number] & { priceCents: number | null; currency: string | null; trialDays: number | null };
  return plans.flatMap((plan): Priced[] => {
    if (!catalog) return [{ ...plan, priceCents: null, currency: null, trialDays: null }];
    const priced = catalog.find((entry) => entry.planName === plan.id);
    return priced ? [{ ...plan, priceCents: priced.monthlyPriceCents, currency: priced.currency, trialDays: priced.trialDays }] : [];
  });
}
