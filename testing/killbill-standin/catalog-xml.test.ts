import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CatalogXmlError, parseCatalogXml } from "./catalog-xml.ts";

const CATALOG_XML = readFileSync(new URL("./test-catalog.xml", import.meta.url), "utf8");

describe("parseCatalogXml", () => {
  it("reads a TRIAL with an empty fixed price ($0) then a monthly EVERGREEN, with the root billing mode", () => {
    const version = parseCatalogXml(CATALOG_XML);
    expect(version.name).toBe("OdooSaaS");
    expect(version.effectiveDate.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    const standard = version.plans.find((plan) => plan.name === "standard-monthly");
    expect(standard).toEqual({
      name: "standard-monthly",
      prettyName: "standard-monthly",
      productName: "Standard",
      recurringBillingMode: "IN_ADVANCE",
      phases: [
        { type: "TRIAL", duration: { unit: "DAYS", number: 14 }, fixedPrices: [], recurring: null },
        {
          type: "EVERGREEN",
          duration: { unit: "UNLIMITED", number: -1 },
          fixedPrices: null,
          recurring: { billingPeriod: "MONTHLY", months: 1, prices: [{ currency: "USD", cents: 800 }] },
        },
      ],
    });
    expect(version.priceLists).toEqual([{ name: "DEFAULT", plans: ["basic-monthly", "standard-monthly", "premium-monthly"] }]);
  });

  it("refuses documents it cannot bill, saying why", () => {
    const refusal = (xml: string) => {
      try {
        parseCatalogXml(xml);
      } catch (error) {
        expect(error).toBeInstanceOf(CatalogXmlError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refusal("<catalog><oops")).toContain("not well-formed XML");
    expect(refusal(CATALOG_XML.replace("<product>Standard</product>", "<product>Gold</product>"))).toContain("unknown product Gold");
    expect(refusal(CATALOG_XML.replace("<billingPeriod>MONTHLY</billingPeriod>", "<billingPeriod>WEEKLY</billingPeriod>"))).toContain("WEEKLY");
    expect(refusal(CATALOG_XML.replace("<plan>premium-monthly</plan>", "<plan>gold-monthly</plan>"))).toContain("unknown plan gold-monthly");
    expect(refusal(CATALOG_XML.replace("<unit>DAYS</unit>", "<unit>FORTNIGHTS</unit>"))).toContain("duration.unit");
  });
});
