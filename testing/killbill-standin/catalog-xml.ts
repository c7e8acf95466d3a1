import { XMLParser } from "fast-xml-parser";
import { z } from "zod";
import type { Duration } from "./dates.ts";

/**
 * Reads a Kill Bill catalog XML document (the shape of killbill-catalog-odoo-saas.xml, itself
 * modelled on Kill Bill's SpyCarBasic.xml) into the stand-in's catalog model. Supported: BASE
 * products, initial phases with a fixed price (an empty <fixedPrice/> is $0) and a bounded
 * duration, and a final phase with a recurring price. Anything else is refused with the reason.
 */

export type PhaseType = "TRIAL" | "DISCOUNT" | "FIXEDTERM" | "EVERGREEN";

export interface CatalogPrice {
  currency: string;
  cents: number;
}

export interface CatalogPhase {
  type: PhaseType;
  duration: Duration;
  /** null: the phase has no <fixed> price; []: an empty <fixedPrice/> ($0 in every currency). */
  fixedPrices: CatalogPrice[] | null;
  recurring: { billingPeriod: string; months: number; prices: CatalogPrice[] } | null;
}

export interface CatalogPlan {
  name: string;
  prettyName: string;
  productName: string;
  recurringBillingMode: string;
  /** Initial phases in order, then the final phase. */
  phases: CatalogPhase[];
}

export interface CatalogProduct {
  name: string;
  prettyName: string;
  category: string;
}

export interface CatalogVersion {
  name: string;
  effectiveDate: Date;
  currencies: string[];
  products: CatalogProduct[];
  plans: CatalogPlan[];
  priceLists: { name: string; plans: string[] }[];
  xml: string;
}

export class CatalogXmlError extends Error {}

const BILLING_PERIOD_MONTHS: Record<string, number> = { MONTHLY: 1, QUARTERLY: 3, BIANNUAL: 6, ANNUAL: 12 };

const toArray = (value: unknown): unknown[] => (value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value]);
const list = <T extends z.ZodType>(item: T) => z.preprocess(toArray, z.array(item));
/** An empty element (`<fixedPrice/>`, `<initialPhases/>`) parses as "": treat it as absent. */
const optionalElement = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const ZPrice = z.object({ currency: z.string().min(1), value: z.string().regex(/^\d+(\.\d+)?$/, "must be a decimal amount") });
/** `<fixedPrice/>` (no price: $0) or `<fixedPrice><price>…</price></fixedPrice>`; same for recurringPrice. */
const ZPriceList = optionalElement(z.object({ price: list(ZPrice) }));
const ZDuration = z.object({
  unit: z.enum(["DAYS", "WEEKS", "MONTHS", "YEARS", "UNLIMITED"]),
  number: z.string().regex(/^\d+$/, "must be a whole number").optional(),
});
const ZPhase = z.object({
  "@_type": z.enum(["TRIAL", "DISCOUNT", "FIXEDTERM", "EVERGREEN"]),
  duration: ZDuration,
  fixed: optionalElement(z.object({ fixedPrice: ZPriceList })),
  recurring: optionalElement(z.object({ billingPeriod: z.string(), recurringPrice: ZPriceList })),
});
const ZPlan = z.object({
  "@_name": z.string().min(1),
  "@_prettyName": z.string().optional(),
  product: z.string().min(1),
  recurringBillingMode: z.string().optional(),
  initialPhases: optionalElement(z.object({ phase: list(ZPhase) })),
  finalPhase: ZPhase,
});
const ZProduct = z.object({ "@_name": z.string().min(1), "@_prettyName": z.string().optional(), category: z.string().min(1) });
const ZPriceListDef = z.object({ "@_name": z.string().min(1), plans: optionalElement(z.object({ plan: list(z.string()) })) });
const ZCatalog = z.object({
  catalog: z.object({
    effectiveDate: z.string().min(1),
    catalogName: z.string().min(1),
    recurringBillingMode: z.string().optional(),
    currencies: z.object({ currency: list(z.string().min(1)) }),
    products: z.object({ product: list(ZProduct) }),
    plans: z.object({ plan: list(ZPlan) }),
    priceLists: z.object({ defaultPriceList: ZPriceListDef, childPriceList: list(ZPriceListDef).optional() }),
  }),
});

type XmlPhase = z.infer<typeof ZPhase>;
type XmlPlan = z.infer<typeof ZPlan>;
type XmlPriceList = z.infer<typeof ZPriceListDef>;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false, parseAttributeValue: false });

function toCents(value: string): number {
  return Math.round(Number(value) * 100);
}

function prices(holder: z.infer<typeof ZPriceList>): CatalogPrice[] {
  if (holder === undefined) return [];
  return holder.price.map((price) => ({ currency: price.currency, cents: toCents(price.value) }));
}

function toDuration(duration: XmlPhase["duration"], where: string): Duration {
  if (duration.unit === "UNLIMITED") return { unit: "UNLIMITED", number: -1 };
  if (duration.number === undefined) throw new CatalogXmlError(`${where}: a ${duration.unit} duration needs a <number>`);
  return { unit: duration.unit, number: Number(duration.number) };
}

function toRecurring(recurring: XmlPhase["recurring"], where: string): CatalogPhase["recurring"] {
  if (!recurring) return null;
  const months = BILLING_PERIOD_MONTHS[recurring.billingPeriod];
  if (months === undefined) throw new CatalogXmlError(`${where}: billing period ${recurring.billingPeriod} is not supported by the stand-in`);
  return { billingPeriod: recurring.billingPeriod, months, prices: prices(recurring.recurringPrice) };
}

function toPhase(phase: XmlPhase, where: string): CatalogPhase {
  return {
    type: phase["@_type"],
    duration: toDuration(phase.duration, where),
    fixedPrices: phase.fixed ? prices(phase.fixed.fixedPrice) : null,
    recurring: toRecurring(phase.recurring, where),
  };
}

function toPlan(plan: XmlPlan, rootBillingMode: string | undefined): CatalogPlan {
  const name = plan["@_name"];
  const initial = plan.initialPhases?.phase ?? [];
  const phases = [
    ...initial.map((phase, index) => toPhase(phase, `plan ${name}, initial phase ${index + 1}`)),
    toPhase(plan.finalPhase, `plan ${name}, final phase`),
  ];
  for (const phase of phases.slice(0, -1)) {
    if (phase.recurring) throw new CatalogXmlError(`plan ${name}: recurring prices in an initial phase are not supported by the stand-in`);
    if (phase.duration.unit === "UNLIMITED") throw new CatalogXmlError(`plan ${name}: an initial ${phase.type} phase needs a bounded duration`);
  }
  const billingMode = plan.recurringBillingMode ?? rootBillingMode;
  if (!billingMode) throw new CatalogXmlError(`plan ${name}: no recurringBillingMode (catalog root or plan)`);
  return { name, prettyName: plan["@_prettyName"] ?? name, productName: plan.product, recurringBillingMode: billingMode, phases };
}

function toPriceList(priceList: XmlPriceList) {
  return { name: priceList["@_name"], plans: priceList.plans?.plan ?? [] };
}

function checkReferences(version: Omit<CatalogVersion, "xml">): void {
  const products = new Set(version.products.map((product) => product.name));
  const plans = new Set(version.plans.map((plan) => plan.name));
  for (const plan of version.plans) {
    if (!products.has(plan.productName)) throw new CatalogXmlError(`plan ${plan.name} names an unknown product ${plan.productName}`);
    const final = plan.phases[plan.phases.length - 1];
    for (const currency of version.currencies) {
      if (final?.recurring && !final.recurring.prices.some((price) => price.currency === currency)) {
        throw new CatalogXmlError(`plan ${plan.name} has no recurring price in ${currency}`);
      }
    }
  }
  for (const priceList of version.priceLists) {
    const unknown = priceList.plans.find((name) => !plans.has(name));
    if (unknown) throw new CatalogXmlError(`price list ${priceList.name} names an unknown plan ${unknown}`);
  }
}

function parseXml(xml: string): unknown {
  try {
    return parser.parse(xml, true);
  } catch (error) {
    throw new CatalogXmlError(`not well-formed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function describeIssue(issue: z.ZodError["issues"][number]): string {
  return `${issue.path.map(String).join(".") || "document"}: ${issue.message}`;
}

/** Parses and checks one catalog version; throws CatalogXmlError saying what is wrong. */
export function parseCatalogXml(xml: string): CatalogVersion {
  const parsed = ZCatalog.safeParse(parseXml(xml));
  if (!parsed.success) throw new CatalogXmlError(parsed.error.issues.map(describeIssue).join("; "));
  const catalog = parsed.data.catalog;
  const effectiveDate = new Date(catalog.effectiveDate);
  if (Number.isNaN(effectiveDate.getTime())) throw new CatalogXmlError(`effectiveDate ${catalog.effectiveDate} is not a date-time`);
  const version = {
    name: catalog.catalogName,
    effectiveDate,
    currencies: catalog.currencies.currency,
    products: catalog.products.product.map((product) => ({
      name: product["@_name"],
      prettyName: product["@_prettyName"] ?? product["@_name"],
      category: product.category,
    })),
    plans: catalog.plans.plan.map((plan) => toPlan(plan, catalog.recurringBillingMode)),
    priceLists: [catalog.priceLists.defaultPriceList, ...(catalog.priceLists.childPriceList ?? [])].map(toPriceList),
  };
  checkReferences(version);
  return { ...version, xml };
}
