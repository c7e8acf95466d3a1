// `npm run billing:upload-catalog`: uploads server/billing/catalog.xml (the one price list) to
// the Kill Bill tenant configured in .env. Safe to run again: a version Kill Bill already has
// (same effectiveDate) is not uploaded twice. A changed price list needs a later effectiveDate.
import "../server/load-dotenv";
import { killbillClient } from "../server/billing";
import { readCatalogXml } from "../server/billing/catalog";
import { uploadCatalog } from "../server/billing/killbill/setup";
import { env } from "../server/env";

async function main(): Promise<void> {
  if (env().BILLING_PROVIDER !== "killbill") {
    console.error("billing:upload-catalog: BILLING_PROVIDER is not killbill; the builtin provider reads server/billing/catalog.xml itself");
    process.exit(2);
  }
  const result = await uploadCatalog(killbillClient(), readCatalogXml());
  console.log(
    result.uploaded
      ? `billing:upload-catalog: uploaded the catalog effective ${result.effectiveDate}`
      : `billing:upload-catalog: Kill Bill already has the catalog effective ${result.effectiveDate}; nothing to do`,
  );
}

main().catch((error: unknown) => {
  console.error(`billing:upload-catalog: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
