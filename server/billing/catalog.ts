import { readFileSync } from "node:fs";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { z } from "zod";
import type { CatalogPlan } from "./types";

/**
 * The price list is one Kill Bill catalog XML file (server/billing/catalog.xml). The builtin
 * provider reads prices and trial lengths from it; `npm run billing:upload-catalog` uploads the
 * same file to Kill Bill. Prices are never written anywhere else.
 */
// From the project directory (web and worker run there): the web build's modules live under
// .next/, where a path relative to this file would not find the XML.
export const CATALOG_PATH = path.join(process.cwd(), "server", "billing", "catalog.xml");

const ZPrice = z.object({ currency: z.string(), value: z.union([z.string(), z.number()]) });
const ZPhase = z.object({
  type: z.string(),
  duration: z.object({ unit: z.string(), number: z.union([z.string(), z.number()]).optional() }).optional(),
  recurring: z
    .object({ billingPeriod: z.string(), recurringPrice: z.object({ price: z.array(ZPrice) }) })
    .optional(),
});
const ZPlan = z.object({
  name: z.string(),
  product: z.string(),
  initialPhases: z.object({ phase: z.array(ZPhase) }).optional(),
  finalPhase: ZPhase,
});
const ZCatalog = z.object({
  catalog: z.object({
    effectiveDate: z.string(),
    products: z.object({ product: z.array(z.object({ name: z.string(), category: z.string() })) }),
    plans: z.object({ plan: z.array(ZPlan) }),
  }),
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  isArray: (_name, jpath) =>
    ["catalog.products.product", "catalog.plans.plan", "catalog.plans.plan.initialPhases.phase"].includes(String(jpath)) ||
    String(jpath).endsWith("recurringPrice.price"),
});

const toCents = (value: string | number) => Math.round(Number(value) * 100);

/** Base plans of a catalog document with their USD monthly price and trial length. */
export function parseCatalogXml(xml: string, currency = "USD"): CatalogPlan[] {
  const { catalog } = ZCatalog.parse(parser.parse(xml));
  const base = new Set(catalog.products.product.filter((p) => p.category === "BASE").map((p) => p.name));
  return catalog.plans.plan
    .filter((plan) => base.has(plan.product))
    .map((plan) => {
      const trial = plan.initialPhases?.phase.find((phase) => phase.type === "TRIAL");
      const price = plan.finalPhase.recurring?.recurringPrice.price.find((p) => p.currency === currency);
      if (!price || plan.finalPhase.recurring?.billingPeriod !== "MONTHLY") {
        throw new Error(`catalog plan ${plan.name} has no monthly ${currency} price`);
      }
      const trialDays = trial?.duration?.unit === "DAYS" ? Number(trial.duration.number ?? 0) : 0;
      return { planName: plan.name, productName: plan.product, currency, monthlyPriceCents: toCents(price.value), trialDays };
    });
}

let cached: CatalogPlan[] | undefined;

/** The repository's catalog, parsed once per process. */
export function repositoryCatalog(): CatalogPlan[] {
  cached ??= parseCatalogXml(readFileSync(CATALOG_PATH, "utf8"));
  return cached;
}

export const readCatalogXml = () => readFileSync(CATALOG_PATH, "utf8");
