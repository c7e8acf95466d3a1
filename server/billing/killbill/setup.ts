import { BillingProviderError } from "../types";
import type { KillbillClient } from "./client";
import { catalogXmlEffectiveDate, sameInstant } from "./mapping";

/**
 * Tenant setup outside the BillingProvider interface: the catalog upload (a script) and the
 * push-notification callback (worker boot). Both are safe to run again.
 */

async function catalogVersionExists(client: KillbillClient, effectiveDate: string): Promise<boolean> {
  try {
    const catalogs = await client.getCatalog();
    return catalogs.some((catalog) => sameInstant(catalog.effectiveDate, effectiveDate));
  } catch (error) {
    // A tenant without any catalog may answer 4xx here; the upload then decides.
    const status = error instanceof BillingProviderError ? error.status : undefined;
    if (status !== undefined && status >= 400 && status < 500) return false;
    throw error;
  }
}

/**
 * Uploads a catalog XML version unless Kill Bill already has one with the same effectiveDate
 * (each version needs a new, later effectiveDate).
 */
export async function uploadCatalog(
  client: KillbillClient,
  xml: string,
): Promise<{ uploaded: boolean; effectiveDate: string | null }> {
  const effectiveDate = catalogXmlEffectiveDate(xml);
  if (effectiveDate !== null && (await catalogVersionExists(client, effectiveDate))) {
    return { uploaded: false, effectiveDate };
  }
  await client.uploadCatalogXml(xml);
  return { uploaded: true, effectiveDate };
}

/**
 * Makes `url` the tenant's push-notification callback. A tenant has one callback URL and a
 * registration replaces the previous one, so this only writes when the URL differs.
 */
export async function registerCallback(client: KillbillClient, url: string): Promise<{ registered: boolean }> {
  const current = await client.getCallbacks();
  if (current.length === 1 && current[0] === url) return { registered: false };
  await client.registerCallback(url);
  return { registered: true };
}
