import { describe, expect, it } from "vitest";
import { BASE_MODULES, planInstalledDatabase, planNewDatabase } from "./modules.ts";

describe("-i install plans", () => {
  it("installs the 11 modules real Odoo 17 installs for -i base", () => {
    expect(BASE_MODULES.map((module) => module.name)).toEqual([
      "auth_totp",
      "base",
      "base_import",
      "base_import_module",
      "base_setup",
      "bus",
      "iap",
      "web",
      "web_editor",
      "web_tour",
      "web_unsplash",
    ]);
  });

  it("counts base's set as one unit and each other requested module as one more", () => {
    expect(planNewDatabase(["base"])).toEqual({ install: [], invalid: [], units: 1 });
    // Modules of the base set add nothing; duplicates and 'all' are ignored.
    expect(planNewDatabase(["base", "web", "bus", "base"])).toEqual({ install: [], invalid: [], units: 1 });
    expect(planNewDatabase(["base", "sale_management", "crm", "account", "crm", "all"])).toEqual({
      install: ["sale_management", "crm", "account"],
      invalid: [],
      units: 4,
    });
    // An empty database is always initialised with base, even when -i names something else.
    expect(planNewDatabase(["crm"])).toEqual({ install: ["crm"], invalid: [], units: 2 });
  });

  it("ignores names that are not module names, as Odoo's 'invalid module names, ignored'", () => {
    expect(planNewDatabase(["base", "Sale", "../x", "crm"])).toEqual({ install: ["crm"], invalid: ["Sale", "../x"], units: 2 });
  });

  it("on an initialised database counts only modules not installed yet", () => {
    const installed = new Set(BASE_MODULES.map((module) => module.name));
    expect(planInstalledDatabase(["base"], installed)).toEqual({ install: [], invalid: [], units: 0 });
    expect(planInstalledDatabase(["base", "crm", "sale_management"], installed)).toEqual({ install: ["crm", "sale_management"], invalid: [], units: 2 });
    expect(planInstalledDatabase(["crm"], new Set([...installed, "crm"]))).toEqual({ install: [], invalid: [], units: 0 });
  });
});
