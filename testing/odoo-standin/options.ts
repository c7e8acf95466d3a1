// Pure parts of the Odoo test image: the official entrypoint's env/argument handling, Odoo's
// command-line options (optparse semantics) and its config file. No I/O here.

export type Env = Readonly<Record<string, string | undefined>>;

// ---------------------------------------------------------------------------------------------
// Series
// ---------------------------------------------------------------------------------------------

export const KNOWN_SERIES = ["16.0", "17.0", "18.0"] as const;

/** The series baked into the image (ODOO_STANDIN_SERIES), else the official ODOO_VERSION. */
export function resolveSeries(env: Env): string {
  const series = env.ODOO_STANDIN_SERIES || env.ODOO_VERSION || "17.0";
  if (!/^\d{2}\.\d$/.test(series)) throw new Error(`invalid Odoo series '${series}'`);
  return series;
}

export function seriesMajor(series: string): number {
  return Number.parseInt(series, 10);
}

export interface VersionInfo {
  server_version: string;
  server_version_info: [number, number, number, string, number, string];
  server_serie: string;
  protocol_version: 1;
}

/** odoo/service/common.py exp_version() for a series (RPC_VERSION_1). */
export function versionInfo(series: string): VersionInfo {
  const [major = 0, minor = 0] = series.split(".").map((part) => Number.parseInt(part, 10));
  return {
    server_version: series,
    server_version_info: [major, minor, 0, "final", 0, ""],
    server_serie: series,
    protocol_version: 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Entrypoint (entrypoint.sh of odoo/docker)
// ---------------------------------------------------------------------------------------------

export type EntrypointPlan =
  | { kind: "odoo"; args: string[]; waitForDb: boolean }
  | { kind: "exec"; command: string[] };

/** bash `${VAR:=default}`: an unset or empty variable takes the fallback. */
function firstSet(env: Env, names: readonly string[], fallback: string): string {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return fallback;
}

/** `grep -E "^\s*\b${param}\b\s*=" "$ODOO_RC"`: the matching line, if any. */
function configLine(configText: string | undefined, param: string): string | undefined {
  if (configText === undefined) return undefined;
  const pattern = new RegExp(`^\\s*\\b${param}\\b\\s*=`);
  return configText.split(/\r?\n/).find((line) => pattern.test(line));
}

export interface DbEnv {
  host: string;
  port: string;
  user: string;
  password: string;
}

/**
 * HOST/PORT/USER/PASSWORD with the entrypoint's fallbacks (16.0 did not read PG*). The caller
 * puts the content of PASSWORD_FILE into PASSWORD first, as the entrypoint does.
 */
export function resolveDbEnv(env: Env, series: string): DbEnv {
  const pg = seriesMajor(series) >= 17;
  const password = firstSet(env, ["PASSWORD", "DB_ENV_POSTGRES_PASSWORD", "POSTGRES_PASSWORD", ...(pg ? ["PGPASSWORD"] : [])], "odoo");
  return {
    host: firstSet(env, ["HOST", "DB_PORT_5432_TCP_ADDR", ...(pg ? ["PGHOST"] : [])], "db"),
    port: firstSet(env, ["PORT", "DB_PORT_5432_TCP_PORT", ...(pg ? ["PGPORT"] : [])], "5432"),
    user: firstSet(env, ["USER", "DB_ENV_POSTGRES_USER", "POSTGRES_USER", ...(pg ? ["PGUSER"] : [])], "odoo"),
    password,
  };
}

/**
 * DB_ARGS of the entrypoint. 17/18: a flag is only added when the key is absent from $ODOO_RC.
 * 16: the value is read from $ODOO_RC when present (`cut -d " " -f3`) and the flag always passed.
 */
export function dbArgs(db: DbEnv, series: string, configText: string | undefined): string[] {
  const params: [string, string][] = [
    ["db_host", db.host],
    ["db_port", db.port],
    ["db_user", db.user],
    ["db_password", db.password],
  ];
  const args: string[] = [];
  for (const [param, value] of params) {
    const line = configLine(configText, param);
    if (seriesMajor(series) >= 17) {
      if (line === undefined) args.push(`--${param}`, value);
    } else {
      const fromConfig = line === undefined ? value : (line.split(" ")[2] ?? "").replace(/["\n\r]/g, "");
      args.push(`--${param}`, fromConfig);
    }
  }
  return args;
}

/** The `case "$1"` of the entrypoint. */
export function planEntrypoint(argv: readonly string[], dbArguments: readonly string[]): EntrypointPlan {
  const first = argv[0];
  if (first === undefined) return { kind: "odoo", args: [...dbArguments], waitForDb: true };
  if (first === "--" || first === "odoo") {
    const rest = argv.slice(1);
    if (rest[0] === "scaffold") return { kind: "odoo", args: rest, waitForDb: false };
    return { kind: "odoo", args: [...rest, ...dbArguments], waitForDb: true };
  }
  if (first.startsWith("-")) return { kind: "odoo", args: [...argv, ...dbArguments], waitForDb: true };
  return { kind: "exec", command: [...argv] };
}

// ---------------------------------------------------------------------------------------------
// Odoo options (odoo/tools/config.py, optparse semantics)
// ---------------------------------------------------------------------------------------------

type OptionKind = "string" | "int" | "true" | "false" | "help" | "version";
interface OptionSpec {
  names: readonly string[];
  dest: string;
  kind: OptionKind;
  /** Series majors where the option exists (default: all). */
  since?: number;
  until?: number;
}

const OPTIONS: readonly OptionSpec[] = [
  { names: ["-h", "--help"], dest: "help", kind: "help" },
  { names: ["--version"], dest: "version", kind: "version" },
  // Common
  { names: ["-c", "--config"], dest: "config", kind: "string" },
  { names: ["-s", "--save"], dest: "save", kind: "true" },
  { names: ["-i", "--init"], dest: "init", kind: "string" },
  { names: ["-u", "--update"], dest: "update", kind: "string" },
  { names: ["--without-demo"], dest: "without_demo", kind: "string" },
  { names: ["-P", "--import-partial"], dest: "import_partial", kind: "string" },
  { names: ["--pidfile"], dest: "pidfile", kind: "string" },
  { names: ["--addons-path"], dest: "addons_path", kind: "string" },
  { names: ["--upgrade-path"], dest: "upgrade_path", kind: "string" },
  { names: ["--pre-upgrade-scripts"], dest: "pre_upgrade_scripts", kind: "string", since: 17 },
  { names: ["--load"], dest: "server_wide_modules", kind: "string" },
  { names: ["-D", "--data-dir"], dest: "data_dir", kind: "string" },
  // HTTP
  { names: ["--http-interface"], dest: "http_interface", kind: "string" },
  { names: ["-p", "--http-port"], dest: "http_port", kind: "int" },
  { names: ["--gevent-port"], dest: "gevent_port", kind: "int" },
  { names: ["--longpolling-port"], dest: "longpolling_port", kind: "int", until: 17 },
  { names: ["--no-http"], dest: "http_enable", kind: "false" },
  { names: ["--proxy-mode"], dest: "proxy_mode", kind: "true" },
  { names: ["--x-sendfile"], dest: "x_sendfile", kind: "true" },
  // Web
  { names: ["--db-filter"], dest: "dbfilter", kind: "string" },
  // Testing
  { names: ["--test-file"], dest: "test_file", kind: "string" },
  { names: ["--test-enable"], dest: "test_enable", kind: "true" },
  { names: ["--test-tags"], dest: "test_tags", kind: "string" },
  { names: ["--screencasts"], dest: "screencasts", kind: "string" },
  { names: ["--screenshots"], dest: "screenshots", kind: "string" },
  // Logging
  { names: ["--logfile"], dest: "logfile", kind: "string" },
  { names: ["--syslog"], dest: "syslog", kind: "true" },
  { names: ["--log-handler"], dest: "log_handler", kind: "string" },
  { names: ["--log-web"], dest: "log_web", kind: "true" },
  { names: ["--log-sql"], dest: "log_sql", kind: "true" },
  { names: ["--log-db"], dest: "log_db", kind: "string" },
  { names: ["--log-db-level"], dest: "log_db_level", kind: "string" },
  { names: ["--log-level"], dest: "log_level", kind: "string" },
  // SMTP
  { names: ["--email-from"], dest: "email_from", kind: "string" },
  { names: ["--from-filter"], dest: "from_filter", kind: "string" },
  { names: ["--smtp"], dest: "smtp_server", kind: "string" },
  { names: ["--smtp-port"], dest: "smtp_port", kind: "int" },
  { names: ["--smtp-ssl"], dest: "smtp_ssl", kind: "true" },
  { names: ["--smtp-user"], dest: "smtp_user", kind: "string" },
  { names: ["--smtp-password"], dest: "smtp_password", kind: "string" },
  { names: ["--smtp-ssl-certificate-filename"], dest: "smtp_ssl_certificate_filename", kind: "string" },
  { names: ["--smtp-ssl-private-key-filename"], dest: "smtp_ssl_private_key_filename", kind: "string" },
  // Database
  { names: ["-d", "--database"], dest: "db_name", kind: "string" },
  { names: ["-r", "--db_user"], dest: "db_user", kind: "string" },
  { names: ["-w", "--db_password"], dest: "db_password", kind: "string" },
  { names: ["--pg_path"], dest: "pg_path", kind: "string" },
  { names: ["--db_host"], dest: "db_host", kind: "string" },
  { names: ["--db_replica_host"], dest: "db_replica_host", kind: "string", since: 18 },
  { names: ["--db_port"], dest: "db_port", kind: "int" },
  { names: ["--db_replica_port"], dest: "db_replica_port", kind: "int", since: 18 },
  { names: ["--db_sslmode"], dest: "db_sslmode", kind: "string" },
  { names: ["--db_maxconn"], dest: "db_maxconn", kind: "int" },
  { names: ["--db_maxconn_gevent"], dest: "db_maxconn_gevent", kind: "int", since: 17 },
  { names: ["--db-template"], dest: "db_template", kind: "string" },
  // i18n
  { names: ["--load-language"], dest: "load_language", kind: "string" },
  { names: ["-l", "--language"], dest: "language", kind: "string" },
  { names: ["--i18n-export"], dest: "translate_out", kind: "string" },
  { names: ["--i18n-import"], dest: "translate_in", kind: "string" },
  { names: ["--i18n-overwrite"], dest: "overwrite_existing_translations", kind: "true" },
  { names: ["--modules"], dest: "translate_modules", kind: "string" },
  // Security
  { names: ["--no-database-list"], dest: "list_db", kind: "false" },
  // Advanced
  { names: ["--dev"], dest: "dev_mode", kind: "string" },
  { names: ["--shell-interface"], dest: "shell_interface", kind: "string" },
  { names: ["--stop-after-init"], dest: "stop_after_init", kind: "true" },
  { names: ["--osv-memory-count-limit"], dest: "osv_memory_count_limit", kind: "int" },
  { names: ["--transient-age-limit"], dest: "transient_age_limit", kind: "string" },
  { names: ["--max-cron-threads"], dest: "max_cron_threads", kind: "int" },
  { names: ["--limit-time-worker-cron"], dest: "limit_time_worker_cron", kind: "int", since: 18 },
  { names: ["--unaccent"], dest: "unaccent", kind: "true" },
  { names: ["--geoip-city-db", "--geoip-db"], dest: "geoip_city_db", kind: "string" },
  { names: ["--geoip-country-db"], dest: "geoip_country_db", kind: "string" },
  // Multiprocessing
  { names: ["--workers"], dest: "workers", kind: "int" },
  { names: ["--limit-memory-soft"], dest: "limit_memory_soft", kind: "int" },
  { names: ["--limit-memory-soft-gevent"], dest: "limit_memory_soft_gevent", kind: "int", since: 18 },
  { names: ["--limit-memory-hard"], dest: "limit_memory_hard", kind: "int" },
  { names: ["--limit-memory-hard-gevent"], dest: "limit_memory_hard_gevent", kind: "int", since: 18 },
  { names: ["--limit-time-cpu"], dest: "limit_time_cpu", kind: "int" },
  { names: ["--limit-time-real"], dest: "limit_time_real", kind: "int" },
  { names: ["--limit-time-real-cron"], dest: "limit_time_real_cron", kind: "int" },
  { names: ["--limit-request"], dest: "limit_request", kind: "int" },
];

export type OptionValue = string | number | boolean;

export class OptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OptionError";
  }
}

export interface ParsedArgs {
  /** Subcommand: "server" unless the first argument names another one. */
  command: string;
  /** Options given on the command line, by dest (last one wins, like optparse). */
  values: Map<string, OptionValue>;
  positional: string[];
}

function optionsFor(series: string): Map<string, OptionSpec> {
  const major = seriesMajor(series);
  const byName = new Map<string, OptionSpec>();
  for (const spec of OPTIONS) {
    if (spec.since !== undefined && major < spec.since) continue;
    if (spec.until !== undefined && major > spec.until) continue;
    for (const name of spec.names) byName.set(name, spec);
  }
  return byName;
}

function convert(spec: OptionSpec, name: string, raw: string): OptionValue {
  if (spec.kind !== "int") return raw;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw new OptionError(`option ${name}: invalid integer value: '${raw}'`);
  return Number.parseInt(raw, 10);
}

/** Odoo's command line: optional subcommand, then optparse (abbreviated long options, `--`). */
export function parseOdooArgs(args: readonly string[], series: string): ParsedArgs {
  const byName = optionsFor(series);
  const longNames = [...byName.keys()].filter((name) => name.startsWith("--"));
  const values = new Map<string, OptionValue>();
  const positional: string[] = [];
  let command = "server";
  let rest = [...args];
  const head = rest[0];
  if (head !== undefined && !head.startsWith("-")) {
    command = head;
    rest = rest.slice(1);
  }

  const store = (spec: OptionSpec, name: string, raw: string | undefined): void => {
    switch (spec.kind) {
      case "true":
      case "help":
      case "version":
        values.set(spec.dest, true);
        return;
      case "false":
        values.set(spec.dest, false);
        return;
      default:
        if (raw === undefined) throw new OptionError(`${name} option requires 1 argument`);
        values.set(spec.dest, convert(spec, name, raw));
    }
  };
  const takesValue = (spec: OptionSpec): boolean => spec.kind === "string" || spec.kind === "int";

  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] as string;
    if (arg === "--") {
      positional.push(...rest.slice(index + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const typed = eq === -1 ? arg : arg.slice(0, eq);
      let name = typed;
      if (!byName.has(typed)) {
        const candidates = longNames.filter((candidate) => candidate.startsWith(typed));
        if (candidates.length === 0) throw new OptionError(`no such option: ${typed}`);
        if (candidates.length > 1) {
          throw new OptionError(`ambiguous option: ${typed} (${candidates.sort().join(", ")}?)`);
        }
        name = candidates[0] as string;
      }
      const spec = byName.get(name) as OptionSpec;
      if (takesValue(spec)) {
        let raw: string | undefined;
        if (eq !== -1) raw = arg.slice(eq + 1);
        else if (index + 1 < rest.length) {
          index += 1;
          raw = rest[index];
        }
        store(spec, name, raw);
      } else {
        if (eq !== -1) throw new OptionError(`${name} option does not take a value`);
        store(spec, name, undefined);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let at = 1; at < arg.length; at += 1) {
        const name = `-${arg[at]}`;
        const spec = byName.get(name);
        if (spec === undefined) throw new OptionError(`no such option: ${name}`);
        if (takesValue(spec)) {
          let raw: string | undefined = arg.slice(at + 1);
          if (raw === "") {
            raw = index + 1 < rest.length ? rest[index + 1] : undefined;
            if (raw !== undefined) index += 1;
          }
          store(spec, name, raw);
          break;
        }
        store(spec, name, undefined);
      }
      continue;
    }
    positional.push(arg);
  }
  return { command, values, positional };
}

// ---------------------------------------------------------------------------------------------
// Config file and effective configuration
// ---------------------------------------------------------------------------------------------

/** The [options] section of an Odoo config file; True/False/None as Odoo reads them. */
export function parseConfigFile(text: string): Map<string, OptionValue | null> {
  const result = new Map<string, OptionValue | null>();
  let section = "";
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = (header[1] ?? "").trim();
      continue;
    }
    if (section !== "options") continue;
    const match = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) continue;
    const key = match[1] as string;
    const value = match[2] as string;
    if (value === "True" || value === "true") result.set(key, true);
    else if (value === "False" || value === "false") result.set(key, false);
    else if (value === "None") result.set(key, null);
    else result.set(key, value);
  }
  return result;
}

export interface OdooConfig {
  configFile: string;
  dbHost: string;
  dbPort: number;
  dbUser: string;
  dbPassword: string;
  /** -d, split on commas; empty when not given. */
  dbNames: string[];
  dbFilter: string;
  listDb: boolean;
  dataDir: string;
  addonsPath: string;
  httpInterface: string;
  httpPort: number;
  httpEnable: boolean;
  proxyMode: boolean;
  workers: number;
  maxCronThreads: number;
  stopAfterInit: boolean;
  /** Modules to install (-i), update (-u). */
  init: string[];
  update: string[];
  /** Demo data is loaded unless --without-demo has a non-empty value (16-18). */
  withoutDemo: boolean;
  dbTemplate: string;
  adminPasswd: string;
  logLevel: string;
}

function asString(value: OptionValue | null | undefined, fallback: string): string {
  if (value === undefined || value === null || value === false) return fallback;
  return String(value);
}

function asInt(value: OptionValue | null | undefined, fallback: number): number {
  if (value === undefined || value === null || typeof value === "boolean") return fallback;
  const parsed = typeof value === "number" ? value : Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? parsed : fallback;
}

function asBool(value: OptionValue | null | undefined, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  return !["", "0", "false", "False", "none", "None"].includes(value);
}

function splitList(value: OptionValue | null | undefined): string[] {
  if (typeof value !== "string") return [];
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** Command line over config file over Odoo's defaults. */
export function effectiveConfig(
  parsed: ParsedArgs,
  configFile: string,
  fileValues: Map<string, OptionValue | null>,
): OdooConfig {
  const pick = (dest: string, ...fileKeys: string[]): OptionValue | null | undefined => {
    if (parsed.values.has(dest)) return parsed.values.get(dest);
    for (const key of [dest, ...fileKeys]) if (fileValues.has(key)) return fileValues.get(key);
    return undefined;
  };
  return {
    configFile,
    dbHost: asString(pick("db_host"), ""),
    dbPort: asInt(pick("db_port"), 5432),
    dbUser: asString(pick("db_user"), ""),
    dbPassword: asString(pick("db_password"), ""),
    dbNames: splitList(pick("db_name")),
    dbFilter: asString(pick("dbfilter"), ""),
    listDb: asBool(pick("list_db"), true),
    dataDir: asString(pick("data_dir"), "/var/lib/odoo"),
    addonsPath: asString(pick("addons_path"), ""),
    httpInterface: asString(pick("http_interface"), ""),
    httpPort: asInt(pick("http_port", "xmlrpc_port"), 8069),
    httpEnable: asBool(pick("http_enable"), true),
    proxyMode: asBool(pick("proxy_mode"), false),
    workers: asInt(pick("workers"), 0),
    maxCronThreads: asInt(pick("max_cron_threads"), 2),
    stopAfterInit: asBool(parsed.values.get("stop_after_init"), false),
    init: splitList(parsed.values.get("init")),
    update: splitList(parsed.values.get("update")),
    withoutDemo: asBool(pick("without_demo"), false),
    dbTemplate: asString(pick("db_template"), "template0"),
    adminPasswd: asString(pick("admin_passwd"), "admin"),
    logLevel: asString(pick("log_level"), "info"),
  };
}

// ---------------------------------------------------------------------------------------------
// Database names and db_filter
// ---------------------------------------------------------------------------------------------

/** odoo/service/db.py DBNAME_PATTERN; the stand-in also needs it because the name is a path. */
export const DBNAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function isValidDbName(name: string): boolean {
  return DBNAME_PATTERN.test(name) && name.length <= 63;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** odoo.http.db_filter: `%h` is the host without port (and www.), `%d` its first label. */
export function filterDatabases(dbs: readonly string[], dbFilter: string, host: string): string[] {
  if (dbFilter === "") return [...dbs];
  let h = host.split(":")[0] ?? "";
  if (h.startsWith("www.")) h = h.slice(4);
  const d = h.split(".")[0] ?? "";
  const pattern = dbFilter.replaceAll("%h", escapeRegExp(h)).replaceAll("%d", escapeRegExp(d));
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return [];
  }
  // Python's re.match anchors at the start only.
  return dbs.filter((db) => {
    const match = regex.exec(db);
    return match !== null && match.index === 0;
  });
}
