import type { CatalogPhase, CatalogPlan, CatalogPrice, CatalogVersion } from "./catalog-xml.ts";
import { dateTime } from "./dates.ts";
import type { CatalogJson, PhaseJson, PlanJson, PriceJson, ProductJson } from "./json-types.ts";

/** One catalog version as GET /1.0/kb/catalog renders it (swagger definition `Catalog`). */

const toPriceJson = (price: CatalogPrice): PriceJson => ({ currency: price.currency, value: price.cents / 100 });

function phaseJson(phase: CatalogPhase): PhaseJson {
  return {
    type: phase.type,
    prices: (phase.recurring?.prices ?? []).map(toPriceJson),
    // An empty <fixedPrice/> lists no price element, so Kill Bill renders it as [] too.
    fixedPrices: (phase.fixedPrices ?? []).map(toPriceJson),
    duration: { unit: phase.duration.unit, number: phase.duration.number },
    usages: [],
  };
}

export function planBillingPeriod(plan: CatalogPlan): string {
  return plan.phases[plan.phases.length - 1]?.recurring?.billingPeriod ?? "NO_BILLING_PERIOD";
}

function planJson(plan: CatalogPlan): PlanJson {
  return {
    name: plan.name,
    prettyName: plan.prettyName,
    recurringBillingMode: plan.recurringBillingMode,
    billingPeriod: planBillingPeriod(plan),
    phases: plan.phases.map(phaseJson),
  };
}

export function catalogJson(version: CatalogVersion): CatalogJson {
  const products: ProductJson[] = version.products.map((product) => ({
    type: product.category,
    name: product.name,
    prettyName: product.prettyName,
    plans: version.plans.filter((plan) => plan.productName === product.name).map(planJson),
    included: [],
    available: [],
  }));
  return {
    name: version.name,
    effectiveDate: dateTime(version.effectiveDate),
    currencies: [...version.currencies],
    units: [],
    products,
    priceLists: version.priceLists.map((priceList) => ({ name: priceList.name, plans: [...priceList.plans] })),
  };
}
