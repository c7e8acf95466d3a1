import { describe, expect, it } from "vitest";
import { parseCatalogXml, readCatalogXml } from "./catalog";

describe("the repository's Kill Bill catalog", () => {
  it("offers basic $5, standard $8 and premium $10 a month, each with a 14-day trial", () => {
    const plans = parseCatalogXml(readCatalogXml());
    expect(plans.map((p) => [p.planName, p.monthlyPriceCents, p.trialDays, p.currency])).toEqual([
      ["basic-monthly", 500, 14, "USD"],
      ["standard-monthly", 800, 14, "USD"],
      ["premium-monthly", 1000, 14, "USD"],
    ]);
  });

  it("refuses a plan with no price in the currency asked for", () => {
    expect(() => parseCatalogXml(readCatalogXml(), "EUR")).toThrow(/no monthly EUR price/);
  });
});
