import { z } from "zod";
import { ZPassword } from "../../auth/password-policy";

/** Subdomains we keep for ourselves (and that would confuse customers). */
export const RESERVED_SUBDOMAINS = new Set([
  "www", "admin", "api", "app", "apps", "mail", "smtp", "imap", "pop", "ftp", "ns1", "ns2", "dns",
  "status", "billing", "pay", "payments", "support", "help", "docs", "blog", "static", "assets",
  "cdn", "auth", "login", "signup", "account", "dashboard", "console", "portal", "traefik",
  "grafana", "prometheus", "metrics", "webhooks", "odoo", "test", "staging", "dev", "localhost",
]);

/**
 * The one list of environment keys the platform owns, for the create form's validation and the
 * container spec alike. The official image's entrypoint reads the database connection from HOST,
 * PORT, USER, PASSWORD (or their fallbacks POSTGRES_*, the DB_* link variables and PG*); ODOO_RC
 * would swap the config file; PATH and LD_* change what the entrypoint executes. A customer
 * value could point Odoo at another tenant's database or break the container. Case-insensitive.
 */
export const PLATFORM_ENV_KEYS: ReadonlySet<string> = new Set(["HOST", "PORT", "USER", "PASSWORD", "PASSWORD_FILE", "ODOO_RC", "PATH"]);
export const PLATFORM_ENV_PREFIXES: readonly string[] = ["PG", "POSTGRES_", "DB_", "LD_"];
export const isPlatformEnvKey = (key: string) => {
  const upper = key.toUpperCase();
  return PLATFORM_ENV_KEYS.has(upper) || PLATFORM_ENV_PREFIXES.some((prefix) => upper.startsWith(prefix));
};

const SUBDOMAIN_RULE = "Use 4-32 characters: lower-case letters, digits and hyphens, starting with a letter";

export const ZSubdomain = z
  .string()
  .max(64, { message: SUBDOMAIN_RULE })
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9-]{2,30}[a-z0-9]$/, { message: SUBDOMAIN_RULE })
  .refine((value) => !RESERVED_SUBDOMAINS.has(value), { message: "This subdomain is reserved" });

export const ZOdooSeries = z.string().max(16).regex(/^\d{2}\.0$/, { message: "Choose an Odoo version such as 17.0" });

/** Names and values together: keeps a create request far below the API's body limit. */
const ENV_TOTAL_MAX = 32 * 1024;

export const ZEnvVars = z
  .record(
    z
      .string()
      .max(128, { message: "A variable name may be at most 128 characters" })
      .regex(/^[A-Z][A-Z0-9_]*$/, { message: "Variable names use A-Z, 0-9 and _, starting with a letter" }),
    z.string().max(4096, { message: "A value may be at most 4 kB" }),
  )
  .refine((vars) => Object.keys(vars).length <= 50, { message: "At most 50 environment variables" })
  .refine((vars) => Object.entries(vars).reduce((sum, [key, value]) => sum + key.length + value.length, 0) <= ENV_TOTAL_MAX, {
    message: "At most 32 kB of environment variables in all",
  })
  .superRefine((vars, ctx) => {
    for (const key of Object.keys(vars)) {
      if (isPlatformEnvKey(key)) {
        ctx.addIssue({ code: "custom", message: `${key} is set by the platform and cannot be overridden` });
      }
    }
  });

/** Languages the create form offers for the Odoo administrator (Odoo's codes; en_US is built in). */
export const ODOO_LANGUAGES = [
  { code: "en_US", label: "English (US)" },
  { code: "en_GB", label: "English (UK)" },
  { code: "fr_FR", label: "Français" },
  { code: "de_DE", label: "Deutsch" },
  { code: "es_ES", label: "Español" },
  { code: "it_IT", label: "Italiano" },
  { code: "nl_NL", label: "Nederlands" },
  { code: "pl_PL", label: "Polski" },
  { code: "pt_BR", label: "Português (BR)" },
] as const;
const LANGUAGE_CODES = ODOO_LANGUAGES.map((language) => language.code) as [string, ...string[]];

export const ZOdooLang = z.enum(LANGUAGE_CODES, { message: `Choose one of ${LANGUAGE_CODES.join(", ")}` });

/** IANA time zones as this runtime knows them, plus UTC. */
const TIME_ZONES: ReadonlySet<string> = new Set(["UTC", ...Intl.supportedValuesOf("timeZone")]);
export const ZOdooTimezone = z
  .string()
  .max(64, { message: "Choose a time zone such as Europe/Warsaw" })
  .refine((zone) => TIME_ZONES.has(zone), { message: "Choose a time zone such as Europe/Warsaw" });

/**
 * The Odoo administrator's password: the platform's password policy. Left out, the platform
 * generates one and shows it once.
 */
export const ZOdooAdminPassword = ZPassword.optional();

export const ZCreateInstanceInput = z.object({
  name: z.string().trim().min(1, { message: "Give the instance a name" }).max(64, { message: "At most 64 characters" }),
  subdomain: ZSubdomain,
  odooVersion: ZOdooSeries,
  planId: z.string().min(1, { message: "Choose a plan" }).max(64),
  adminEmail: z.string().max(254).trim().toLowerCase().pipe(z.email({ message: "Enter a valid email address" })).optional(),
  demoData: z.boolean().default(false),
  customAddons: z
    .array(z.string().regex(/^[a-z][a-z0-9_]*$/, { message: "Module names use a-z, 0-9 and _, starting with a letter" }).max(64))
    .max(50, { message: "At most 50 modules" })
    .default([]),
  envVars: ZEnvVars.default({}),
  adminPassword: ZOdooAdminPassword,
  odooLang: ZOdooLang.default("en_US"),
  odooTimezone: ZOdooTimezone.default("UTC"),
  /** Start with the plan's free trial (one per customer); otherwise the first invoice is due at once. */
  trial: z.boolean().default(false),
});
export type TCreateInstanceInput = z.input<typeof ZCreateInstanceInput>;

export const ZInstanceId = z.object({ id: z.string().min(1).max(64) });
export const ZInstanceLogsInput = ZInstanceId.extend({ lines: z.number().int().min(1).max(2000).default(200) });
export const ZSubdomainCheck = z.object({ subdomain: z.string().max(64) });

/** A new password for the instance's Odoo administrator: the platform's password policy. */
export const ZResetOdooPasswordInput = z.object({ id: z.string().min(1).max(64), password: ZPassword });
