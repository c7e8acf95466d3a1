// The Odoo test image's process: a TEST FIXTURE that imitates the official odoo:<series> image
// (entrypoint + odoo server) closely enough for the platform. Never used in production.
// Bundled into /entrypoint.sh of localhost/odoo-standin:<series> by scripts/build-odoo-image.ts.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { constants } from "node:os";
import path from "node:path";
import {
  createEmptyDatabase,
  errorMessage,
  initializeDatabase,
  isInitialized,
  loadModules,
  waitForPostgres,
  withClient,
  type PgTarget,
} from "./database.ts";
import { createRequestHandler, type AppContext, type StandinMode } from "./http-app.ts";
import { createOdooLogger } from "./odoo-log.ts";
import {
  dbArgs,
  effectiveConfig,
  isValidDbName,
  OptionError,
  parseConfigFile,
  parseOdooArgs,
  planEntrypoint,
  resolveDbEnv,
  resolveSeries,
  type Env,
  type OdooConfig,
} from "./options.ts";

const log = createOdooLogger();
const MODES: readonly StandinMode[] = ["normal", "crash-on-boot", "never-healthy", "slow-init"];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Odoo's own boot of an initialised database took 0.9-1.3 s here, container start included. */
const DEFAULT_BOOT_SECONDS = 0.5;
/** `-i base` took 8.7 s here; the test image takes 2 s for it (see modules.ts for bundles). */
const DEFAULT_INIT_SECONDS_PER_MODULE = 2;

function seconds(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds, got '${raw}'`);
  return value;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Signals: PID 1 ignores SIGTERM unless it installs a handler, so this comes first.
// ---------------------------------------------------------------------------------------------

let onStopSignal: (signal: NodeJS.Signals) => void = () => process.exit(0);
let signalled = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (signalled) process.exit(0);
    signalled = true;
    onStopSignal(signal);
  });
}

function stopOdoo(server: Server | undefined): void {
  log.info("odoo.service.server", "Initiating shutdown");
  log.info("odoo.service.server", "Hit CTRL-C again or send a second signal to force the shutdown.");
  setTimeout(() => process.exit(0), 1_500).unref();
  if (!server) process.exit(0);
  server.close(() => process.exit(0));
  server.closeAllConnections();
}

// ---------------------------------------------------------------------------------------------
// `exec "$@"` branch of the entrypoint
// ---------------------------------------------------------------------------------------------

function runExec(command: readonly string[]): Promise<number> {
  const [file, ...args] = command as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: "inherit" });
    onStopSignal = (signal) => {
      signalled = false; // forward every signal
      child.kill(signal);
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      process.stderr.write(`/entrypoint.sh: line 52: ${file}: ${error.code === "ENOENT" ? "command not found" : error.message}\n`);
      resolve(error.code === "ENOENT" ? 127 : 126);
    });
    child.on("exit", (code, signal) => {
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The odoo server
// ---------------------------------------------------------------------------------------------

interface RunOptions {
  args: string[];
  waitForDb: boolean;
  series: string;
  env: Env;
  odooRc: string;
}

const USAGE = "Usage: odoo [options]\n";

interface Timing {
  bootSeconds: number;
  initSecondsPerModule: number;
}

async function preload(ctx: AppContext, db: string, timing: Timing): Promise<boolean> {
  const { config, target, series } = ctx;
  const init = [...config.init];
  try {
    if ((await createEmptyDatabase(target, db, config.dbTemplate)) === "created") {
      log.info("odoo.service.db", `Create database \`${db}\`.`);
      if (!init.includes("base")) init.push("base");
    }
  } catch (error) {
    if ((error as { code?: string }).code === "42501") {
      log.info("odoo.service.server", `Could not determine if database ${db} exists, skipping auto-creation: ${errorMessage(error)}`);
    } else {
      log.critical("odoo.service.server", `Failed to initialize database \`${db}\`.`, db);
      log.error("odoo.service.server", errorMessage(error), db);
      return false;
    }
  }
  const started = Date.now();
  const elapsed = (): string => ((Date.now() - started) / 1000).toFixed(2);
  const msPerModule = timing.initSecondsPerModule * 1000;
  try {
    const initialized = await withClient(target, db, (client) => isInitialized(client));
    if (!initialized) {
      if (init.length === 0 && config.update.length === 0) {
        log.error("odoo.modules.loading", `Database ${db} not initialized, you can force it with \`-i base\``, db);
        return true;
      }
      log.info("odoo.modules.loading", "init db", db);
      log.info("odoo.modules.loading", "loading 1 modules...", db);
      const withDemo = !config.withoutDemo;
      const result = await initializeDatabase(target, db, {
        series,
        withDemo,
        dataDir: config.dataDir,
        httpPort: config.httpPort,
        requested: init,
        msPerModule,
        durationMs: ctx.mode === "slow-init" ? timing.bootSeconds * 10_000 : undefined,
      });
      if (result.invalid.length > 0) log.warning("odoo.modules.loading", `invalid module names, ignored: ${result.invalid.join(", ")}`, db);
      if (result.status === "initialized") {
        log.info("odoo.modules.loading", `loading ${result.installed.length} modules...`, db);
        if (withDemo) log.info("odoo.modules.loading", "loading demo data", db);
        log.info("odoo.modules.loading", `${result.installed.length} modules loaded in ${elapsed()}s, 0 queries (+0 extra)`, db);
      }
    } else {
      const { installed, updated, invalid } = await loadModules(target, db, { series, install: init, update: config.update, msPerModule });
      if (invalid.length > 0) log.warning("odoo.modules.loading", `invalid module names, ignored: ${invalid.join(", ")}`, db);
      if (installed.length > 0) log.info("odoo.modules.loading", `installing modules: ${installed.join(", ")}`, db);
      if (updated.length > 0) log.info("odoo.modules.loading", `updating modules: ${updated.join(", ")}`, db);
      log.info("odoo.modules.loading", `loading 1 modules...`, db);
    }
    log.info("odoo.modules.loading", "Modules loaded.", db);
    log.info("odoo.modules.registry", `Registry loaded in ${elapsed()}s`, db);
    return true;
  } catch (error) {
    log.critical("odoo.service.server", `Failed to initialize database \`${db}\`.`, db);
    log.error("odoo.service.server", errorMessage(error), db);
    return false;
  }
}

function listen(server: Server, config: OdooConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: config.httpPort, host: config.httpInterface || "0.0.0.0" }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function runOdoo(options: RunOptions): Promise<number | undefined> {
  const { series, env } = options;
  let parsed;
  try {
    parsed = parseOdooArgs(options.args, series);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    process.stderr.write(`${USAGE}\nodoo: error: ${error.message}\n`);
    return 2;
  }
  if (parsed.values.get("help") === true) {
    process.stdout.write(`${USAGE}\nOdoo ${series} (test image): see testing/odoo-standin/README.md\n`);
    return 0;
  }
  if (parsed.values.get("version") === true) {
    process.stdout.write(`Odoo Server ${series}\n`);
    return 0;
  }
  if (parsed.command !== "server") {
    log.error("odoo.standin", `the '${parsed.command}' command is not implemented by the Odoo test image`);
    return 1;
  }
  const configFile = typeof parsed.values.get("config") === "string" ? String(parsed.values.get("config")) : options.odooRc;
  const configText = readIfExists(configFile);
  const config = effectiveConfig(parsed, configFile, configText === undefined ? new Map() : parseConfigFile(configText));

  // odoo/cli/server.py check_postgres_user(). The real image runs it after wait-for-psql; here it
  // comes first so that the refusal does not depend on the role being able to connect.
  if ((config.dbUser || env.PGUSER) === "postgres") {
    process.stderr.write("Using the database user 'postgres' is a security risk, aborting.");
    log.error("odoo", "Using the database user 'postgres' is a security risk, aborting.");
    return 1;
  }
  const badName = config.dbNames.find((name) => !isValidDbName(name));
  if (badName !== undefined) {
    log.error("odoo.service.db", `Invalid database name ${JSON.stringify(badName)}: the test image accepts ${String(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/)}`);
    return 1;
  }
  const mode = (env.STANDIN_MODE || "normal") as StandinMode;
  if (!MODES.includes(mode)) {
    log.error("odoo.standin", `STANDIN_MODE must be one of ${MODES.join(", ")}, got '${mode}'`);
    return 1;
  }
  let timing: Timing;
  let dbWaitSeconds: number;
  try {
    timing = {
      bootSeconds: seconds(env, "STANDIN_BOOT_SECONDS", DEFAULT_BOOT_SECONDS),
      initSecondsPerModule: seconds(env, "STANDIN_INIT_SECONDS_PER_MODULE", DEFAULT_INIT_SECONDS_PER_MODULE),
    };
    dbWaitSeconds = seconds(env, "STANDIN_DB_WAIT_SECONDS", 30);
  } catch (error) {
    log.error("odoo.standin", errorMessage(error));
    return 1;
  }
  const { bootSeconds } = timing;
  const target: PgTarget = { host: config.dbHost, port: config.dbPort, user: config.dbUser, password: config.dbPassword };

  if (options.waitForDb) {
    try {
      await waitForPostgres(target, dbWaitSeconds);
    } catch (error) {
      process.stderr.write(`Database connection failure: ${errorMessage(error)}\n`);
      log.error("odoo.sql_db", `Database connection failure: ${errorMessage(error)} (${target.user}@${target.host}:${target.port}, waited ${dbWaitSeconds}s)`);
      return 1;
    }
  }

  log.info("odoo", `Odoo version ${series}`);
  if (configText !== undefined) log.info("odoo", `Using configuration file at ${configFile}`);
  const addons = ["/usr/lib/python3/dist-packages/odoo/addons", path.join(config.dataDir, "addons", series), ...config.addonsPath.split(",").filter(Boolean)];
  log.info("odoo", `addons paths: [${addons.map((item) => `'${item}'`).join(", ")}]`);
  log.info("odoo", `database: ${config.dbUser || "default"}@${config.dbHost || "default"}:${config.dbPort}`);
  log.info("odoo.standin", `Odoo test image (stand-in, not Odoo) for series ${series}, mode ${mode}, boot ${bootSeconds}s, init ${timing.initSecondsPerModule}s per module`);
  for (const dir of [path.join(config.dataDir, "addons", series), path.join(config.dataDir, "sessions"), path.join(config.dataDir, "filestore")]) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      log.warning("odoo.tools.config", `cannot create ${dir}: ${errorMessage(error)}`);
    }
  }

  await sleep(bootSeconds * 1000);
  if (mode === "crash-on-boot") {
    log.error("odoo.standin", "STANDIN_MODE=crash-on-boot: simulated crash during boot");
    return 1;
  }

  const ctx: AppContext = { config, series, mode, target, log, loading: new Map() };
  let server: Server | undefined;
  onStopSignal = () => stopOdoo(server);
  if (!config.stopAfterInit && config.httpEnable) {
    server = createServer(createRequestHandler(ctx));
    server.keepAliveTimeout = 5_000;
    try {
      await listen(server, config);
    } catch (error) {
      log.error("odoo.service.server", `HTTP service failed to start on ${config.httpInterface || "0.0.0.0"}:${config.httpPort}: ${errorMessage(error)}`);
      return 1;
    }
    log.info("odoo.service.server", `HTTP service (werkzeug) running on ${config.httpInterface || "0.0.0.0"}:${config.httpPort}`);
    for (let worker = 0; worker < config.workers; worker += 1) log.info("odoo.service.server", `Worker WorkerHTTP (${worker + 2}) alive`);
  }

  // One after the other, as Odoo's preload_registries; all registered at once so that requests
  // for any of them wait (the registry lock), starting with those that arrive right now.
  let previous: Promise<boolean> = Promise.resolve(true);
  for (const db of config.dbNames) {
    const loading = previous.then(() => preload(ctx, db, timing));
    ctx.loading.set(db, loading);
    previous = loading;
  }
  const results = await Promise.all(ctx.loading.values());
  const ok = results.every((result) => result === true);
  if (config.stopAfterInit) {
    log.info("odoo.service.server", "Initiating shutdown");
    log.info("odoo.service.server", "Hit CTRL-C again or send a second signal to force the shutdown.");
    return ok ? 0 : 255; // Odoo: sys.exit(-1)
  }
  if (!server) setInterval(() => undefined, 60_000); // --no-http: keep running like Odoo's cron threads
  return undefined;
}

async function main(): Promise<number | undefined> {
  const env: Env = process.env;
  const series = resolveSeries(env);
  const argv = process.argv.slice(2);
  const odooRc = env.ODOO_RC || "/etc/odoo/odoo.conf";
  // Invoked as `odoo` (the /usr/bin/odoo link): the server itself, without the entrypoint.
  if (path.basename(process.argv[1] ?? "") === "odoo") return runOdoo({ args: argv, waitForDb: false, series, env, odooRc });

  let entryEnv: Env = env;
  if (env.PASSWORD_FILE !== undefined) {
    try {
      entryEnv = { ...env, PASSWORD: readFileSync(env.PASSWORD_FILE, "utf8").replace(/\n+$/, "") };
    } catch (error) {
      process.stderr.write(`/entrypoint.sh: line 6: ${env.PASSWORD_FILE}: ${errorMessage(error)}\n`);
      log.error("odoo.standin", `cannot read PASSWORD_FILE ${env.PASSWORD_FILE}`);
      return 1;
    }
  }
  const plan = planEntrypoint(argv, dbArgs(resolveDbEnv(entryEnv, series), series, readIfExists(odooRc)));
  if (plan.kind === "exec") return runExec(plan.command);
  return runOdoo({ args: plan.args, waitForDb: plan.waitForDb, series, env: entryEnv, odooRc });
}

process.on("unhandledRejection", (error) => {
  log.error("odoo.standin", `unhandled error: ${errorMessage(error)}`);
  process.exit(1);
});

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    log.error("odoo.standin", `fatal: ${errorMessage(error)}`);
    process.exit(1);
  },
);

export {};
