// Which modules `-i` installs and how long it takes (pure, unit-tested in modules.test.ts).

export interface ModuleInfo {
  name: string;
  /** The manifest version; Odoo stores `<series>.<version>` in latest_version. */
  version: string;
  shortdesc: string;
}

/** What real Odoo 17.0 installs for `-i base` (base and its auto-installed modules). */
export const BASE_MODULES: readonly ModuleInfo[] = [
  { name: "auth_totp", version: "1.0", shortdesc: "Two-Factor Authentication (TOTP)" },
  { name: "base", version: "1.3", shortdesc: "Base" },
  { name: "base_import", version: "2.0", shortdesc: "Base import" },
  { name: "base_import_module", version: "1.0", shortdesc: "Base import module" },
  { name: "base_setup", version: "1.0", shortdesc: "Initial Setup Tools" },
  { name: "bus", version: "1.0", shortdesc: "IM Bus" },
  { name: "iap", version: "1.1", shortdesc: "In-App Purchases" },
  { name: "web", version: "1.0", shortdesc: "Web" },
  { name: "web_editor", version: "1.0", shortdesc: "Web Editor" },
  { name: "web_tour", version: "0.1", shortdesc: "Tours" },
  { name: "web_unsplash", version: "1.1", shortdesc: "Unsplash Image Library" },
];

/**
 * A few of the modules Odoo lists as `uninstalled` after init (the real list has every addon on
 * the addons path). Reading ir_module_module without `state = 'installed'` sees them, as with Odoo.
 */
export const AVAILABLE_MODULES: readonly ModuleInfo[] = [
  { name: "account", version: "1.2", shortdesc: "Invoicing" },
  { name: "contacts", version: "1.0", shortdesc: "Contacts" },
  { name: "crm", version: "1.8", shortdesc: "CRM" },
  { name: "mail", version: "1.15", shortdesc: "Discuss" },
  { name: "project", version: "1.3", shortdesc: "Project" },
  { name: "purchase", version: "1.2", shortdesc: "Purchase" },
  { name: "sale", version: "1.2", shortdesc: "Sales" },
  { name: "sale_management", version: "1.0", shortdesc: "Sales" },
  { name: "stock", version: "1.1", shortdesc: "Inventory" },
  { name: "website", version: "1.0", shortdesc: "Website" },
];

export const MODULE_NAME_PATTERN = /^[a-z0-9_]+$/;

export function moduleInfo(name: string): ModuleInfo {
  return [...BASE_MODULES, ...AVAILABLE_MODULES].find((module) => module.name === name) ?? { name, version: "1.0", shortdesc: name };
}

export interface InstallPlan {
  /** Modules to mark installed, in the order given (base set excluded on a new database). */
  install: string[];
  /** Names Odoo would log as "invalid module names, ignored". */
  invalid: string[];
  /** Units of STANDIN_INIT_SECONDS_PER_MODULE the installation takes. */
  units: number;
}

function requestedNames(requested: readonly string[]): { valid: string[]; invalid: string[] } {
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const name of requested) {
    if (name === "all") continue; // accepted and ignored by Odoo's name check
    const list = MODULE_NAME_PATTERN.test(name) ? valid : invalid;
    if (!list.includes(name)) list.push(name);
  }
  return { valid, invalid };
}

/**
 * `-i <requested>` on an empty database: the base set counts as one unit (it is what `-i base`
 * installs, ~2 s by default, as Odoo's 8.7 s for it here), each other requested module one more
 * (`-i base,sale_management,crm,account` = 4 units; Odoo took 3.6x the time of `base` for it).
 */
export function planNewDatabase(requested: readonly string[]): InstallPlan {
  const { valid, invalid } = requestedNames(requested);
  const install = valid.filter((name) => !BASE_MODULES.some((module) => module.name === name));
  return { install, invalid, units: 1 + install.length };
}

/** `-i <requested>` on an initialised database: one unit per module that is not installed yet. */
export function planInstalledDatabase(requested: readonly string[], installed: ReadonlySet<string>): InstallPlan {
  const { valid, invalid } = requestedNames(requested);
  const install = valid.filter((name) => !installed.has(name));
  return { install, invalid, units: install.length };
}
