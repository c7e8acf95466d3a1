import { z } from "zod";
import { parseTrustedProxies } from "./http/client-address";

/**
 * The one place that reads process.env. Web (at build and boot) and worker (at boot) import it;
 * a missing or malformed variable stops them with a message naming the variable.
 */
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}` },
  );

const hexKey = z
  .string()
  .regex(/^[0-9a-f]{64}$/i, { message: "must be 64 hexadecimal characters (32 bytes)" });

export const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: url(["postgresql:", "postgres:"]),
  REDIS_URL: url(["redis:", "rediss:"]),
  DOCKER_HOST: z
    .string()
    .regex(/^(unix:\/\/\/.+|tcp:\/\/.+|https?:\/\/.+)$/, {
      message: "must be unix:///path/to/socket, tcp://host:port or http(s)://host:port",
    })
    .default("unix:///var/run/docker.sock"),
  ODOO_IMAGE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/:-]*$/, { message: "must be an image repository such as odoo" })
    .default("odoo"),
  ODOO_SERIES: z
    .string()
    .default("17.0,18.0")
    .transform((value) => value.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^\d+\.0$/, { message: "each series must look like 17.0" })).min(1)),
  POOL_DB_HOST: z.string().min(1),
  POOL_DB_CONTAINER_HOST: z.string().min(1),
  POOL_DB_PORT: z.coerce.number().int().min(1).max(65535).default(5432),
  POOL_DB_MANAGER_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, { message: "must be a plain PostgreSQL role name" })
    .refine((name) => name !== "postgres", { message: "must not be the postgres superuser" }),
  POOL_DB_MANAGER_PASSWORD: z.string().min(12, { message: "must be at least 12 characters" }),
  /** Empty databases kept ready on every ACTIVE pool server so provisioning renames one (0: off). */
  POOL_SPARE_DATABASES: z.coerce.number().int().min(0).max(100).default(10),
  ROUTING: z.enum(["ports", "traefik"]).default("ports"),
  /** Host name in instance URLs with ROUTING=ports (where the engine publishes ports). */
  INSTANCE_PUBLIC_HOST: z.string().min(1).default("localhost"),
  BASE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, { message: "must be a domain such as odoo.example.com" })
    .optional(),
  TRAEFIK_NETWORK: z.string().min(1).default("traefik"),
  TRAEFIK_ENTRYPOINT: z.string().min(1).default("websecure"),
  TRAEFIK_CERT_RESOLVER: z.string().min(1).optional(),
  /** Where backup archives are written (relative paths are from the project directory). */
  BACKUP_DIR: z.string().min(1).default(".data/backups"),
  /** S3-compatible copy of every backup (AWS, MinIO…): on when S3_BUCKET is set. */
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "must be a valid bucket name" }).optional(),
  S3_ENDPOINT: url(["http:", "https:"]).optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false").transform((value) => value === "true"),
  S3_PREFIX: z.string().regex(/^([A-Za-z0-9._-]+\/)*$/, { message: "must be empty or end with /" }).default(""),
  /** When set, the S3 copy is encrypted (AES-256-GCM) with this key; the local copy is not. */
  S3_ENCRYPTION_KEY: hexKey.optional(),
  /** UTC hour of the daily backups of every running instance. */
  BACKUP_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(2),
  FIRST_BOOT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(7200).default(600),
  /** How long the one-shot database initialisation (-i) may run before it is stopped. */
  INIT_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(14_400).default(1800),
  RECONCILE_EVERY_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  APP_URL: url(["http:", "https:"]).default("http://localhost:3000"),
  /** Web port (scripts/run.sh, npm run web). */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /**
   * Reverse proxies (IPs and CIDR ranges) whose X-Forwarded-For/-Proto/-Host the web server
   * believes. Empty: none, the socket's address is the client's.
   */
  /** Sign-ups allowed per client address per hour (each costs a password hash). */
  SIGNUP_LIMIT_PER_IP_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((value, ctx) => {
      try {
        return parseTrustedProxies(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  AUTH_SECRET: z.string().min(32, { message: "must be at least 32 characters" }),
  SECRETS_KEY: hexKey,
  ADMIN_EMAIL: z.email(),
  ADMIN_PASSWORD: z.string().min(10).optional(),
  SMTP_URL: url(["smtp:", "smtps:"]).optional(),
  MAIL_FROM: z.string().min(3).default("no-reply@localhost"),
  MAIL_OUTBOX_DIR: z.string().min(1).default("mail-outbox"),
  /** Bearer token for GET /api/metrics and the worker's metrics port. */
  METRICS_TOKEN: z.string().min(16, { message: "must be at least 16 characters" }),
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).default(9464),
  /** Which billing system drives provisioning: builtin (our own tables) or killbill. */
  BILLING_PROVIDER: z.enum(["builtin", "killbill"]).default("builtin"),
  /** Days an invoice may stay unpaid before its instances are suspended. */
  BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  /** Days a cancelled instance's data is kept (stopped, with a final backup) before deletion. */
  BILLING_RETENTION_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  KILLBILL_URL: url(["http:", "https:"]).optional(),
  KILLBILL_USERNAME: z.string().min(1).optional(),
  KILLBILL_PASSWORD: z.string().min(1).optional(),
  KILLBILL_API_KEY: z.string().min(1).optional(),
  KILLBILL_API_SECRET: z.string().min(1).optional(),
  /** Secret path segment of the push-notification callback: /api/webhooks/killbill/<secret>. */
  KILLBILL_WEBHOOK_SECRET: z.string().min(24, { message: "must be at least 24 characters" }).optional(),
  /** Base URL Kill Bill uses to reach this app's webhook (defaults to APP_URL). */
  KILLBILL_CALLBACK_BASE_URL: url(["http:", "https:"]).optional(),
  /** Paynow (Zimbabwe): web checkout and EcoCash/OneMoney express checkout. Off when unset. */
  PAYNOW_URL: url(["http:", "https:"]).default("https://www.paynow.co.zw"),
  PAYNOW_INTEGRATION_ID: z.string().regex(/^\d+$/, { message: "must be the numeric integration id" }).optional(),
  PAYNOW_INTEGRATION_KEY: z.string().min(8).optional(),
  /** The merchant's login email, required by Paynow for express checkout (and in test mode). */
  PAYNOW_AUTH_EMAIL: z.email().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type TEnv = z.infer<typeof ZEnv>;

const ZEnvChecked = ZEnv.superRefine((value, ctx) => {
  if (value.ROUTING === "traefik" && !value.BASE_DOMAIN) {
    ctx.addIssue({ code: "custom", path: ["BASE_DOMAIN"], message: "is required when ROUTING=traefik" });
  }
  if (value.BILLING_PROVIDER === "killbill") {
    for (const name of ["KILLBILL_URL", "KILLBILL_USERNAME", "KILLBILL_PASSWORD", "KILLBILL_API_KEY", "KILLBILL_API_SECRET", "KILLBILL_WEBHOOK_SECRET"] as const) {
      if (!value[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required when BILLING_PROVIDER=killbill" });
    }
  }
  if (value.PAYNOW_INTEGRATION_ID && !value.PAYNOW_INTEGRATION_KEY) {
    ctx.addIssue({ code: "custom", path: ["PAYNOW_INTEGRATION_KEY"], message: "is required when PAYNOW_INTEGRATION_ID is set" });
  }
});

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid environment:\n${issues.map((issue) => `  - ${issue}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): TEnv {
  const result = ZEnvChecked.safeParse(source);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      return (source[name] === undefined || source[name] === "") && issue.code !== "custom"
        ? `${name} is missing`
        : `${name} ${issue.message}`;
    }),
  );
}

let cached: TEnv | undefined;

/** Validated environment, parsed once per process. */
export function env(): TEnv {
  cached ??= parseEnv(process.env);
  return cached;
}
