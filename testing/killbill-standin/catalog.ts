import { CatalogXmlError, parseCatalogXml, type CatalogPlan, type CatalogVersion } from "./catalog-xml.ts";
import { dateTime } from "./dates.ts";
import { refusals } from "./errors.ts";
import { tenantConfigEvent } from "./events.ts";
import type { Ledger } from "./ledger.ts";

/** The tenant's catalog versions: POST /1.0/kb/catalog/xml adds one, each later than the last. */
export function uploadCatalog(ledger: Ledger, xml: string): CatalogVersion {
  let version: CatalogVersion;
  try {
    version = parseCatalogXml(xml);
  } catch (error) {
    if (error instanceof CatalogXmlError) throw refusals.invalidCatalog(error.message);
    throw error;
  }
  const latest = ledger.state.catalogVersions.at(-1);
  if (latest && version.effectiveDate.getTime() <= latest.effectiveDate.getTime()) {
    throw refusals.invalidCatalog(
      `effectiveDate ${dateTime(version.effectiveDate)} must be later than the current version's ${dateTime(latest.effectiveDate)}`,
    );
  }
  ledger.state.catalogVersions.push(version);
  ledger.emit(tenantConfigEvent("TENANT_CONFIG_CHANGE", "CATALOG"));
  return version;
}

/** DELETE /1.0/kb/catalog: all versions go. */
export function deleteCatalog(ledger: Ledger): void {
  ledger.state.catalogVersions = [];
  ledger.emit(tenantConfigEvent("TENANT_CONFIG_DELETION", "CATALOG"));
}

/** The version in effect at `at` (the first one for dates before it); 400 when there is none. */
export function catalogAt(ledger: Ledger, at: Date): CatalogVersion {
  const versions = ledger.state.catalogVersions;
  const effective = versions.filter((version) => version.effectiveDate.getTime() <= at.getTime()).at(-1) ?? versions[0];
  if (!effective) throw refusals.noCatalog(dateTime(at));
  return effective;
}

export interface PlanInCatalog {
  plan: CatalogPlan;
  priceList: string;
  version: CatalogVersion;
}

export function requirePlan(version: CatalogVersion, planName: string): PlanInCatalog {
  const plan = version.plans.find((candidate) => candidate.name === planName);
  if (!plan) throw refusals.noSuchPlan(planName);
  const priceList = version.priceLists.find((list) => list.plans.includes(planName))?.name ?? "DEFAULT";
  return { plan, priceList, version };
}
