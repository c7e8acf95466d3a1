// Prisma Migrate without the schema-engine binary: drives @prisma/schema-engine-wasm through
// adapter-pg (see the stack notes, "Prisma 7 without engine downloads").
//
//   tsx scripts/migrate.ts deploy          apply pending migrations (runs on every start)
//   tsx scripts/migrate.ts create <name>   write prisma/migrations/<timestamp>_<name>/
//   tsx scripts/migrate.ts status          history + drift report; exit 1 when not in sync
//   tsx scripts/migrate.ts check           CI: schema.prisma == migrations == database
//   tsx scripts/migrate.ts resolve --rolled-back|--applied <migration>   after a failed deploy
//
// Exit codes: 0 ok, 1 not in sync (status/check), 2 error. DATABASE_URL comes from the
// environment or .env (the environment wins). MIGRATE_DEBUG=1 prints the engine's log.
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  check,
  create,
  deploy,
  resolve,
  status,
  type TCheckResult,
  type TMigrateContext,
  type TResolveAction,
  type TStatusResult,
} from "./migrate/commands.ts";
import {
  MigrateError,
  describeConnection,
  parseDatabaseUrl,
  redactPassword,
  type TPgConnection,
} from "./migrate/database-url.ts";
import { validateMigrationName } from "./migrate/migrations-dir.ts";

export * from "./migrate/commands.ts";
export { MigrateError, parseDatabaseUrl } from "./migrate/database-url.ts";
export { nextMigrationTimestamp, validateMigrationName } from "./migrate/migrations-dir.ts";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: tsx scripts/migrate.ts <command>
  deploy          apply pending migrations from prisma/migrations
  create <name>   write a migration for the changes in prisma/schema.prisma ([a-z0-9_]+)
  status          report pending, failed and modified migrations and drift (exit 1 if any)
  check           CI: no drift between schema.prisma, the migrations and the database
  resolve --rolled-back <migration>   mark a failed migration rolled back (deploy retries it)
  resolve --applied <migration>       mark a failed migration applied (completed by hand)`;

export type TMigrateEnv = Readonly<Record<string, string | undefined>>;

/** DATABASE_URL from `env`; paths as in prisma.config.ts, relative to the repository root. */
export function contextFromEnv(
  env: TMigrateEnv = process.env,
  root: string = REPO_ROOT,
): TMigrateContext {
  return {
    connection: parseDatabaseUrl(env.DATABASE_URL),
    migrationsDir: join(root, "prisma", "migrations"),
    schemaPath: join(root, "prisma", "schema.prisma"),
    log: env.MIGRATE_DEBUG
      ? (line) => process.stderr.write(`[engine] ${line.trimEnd()}\n`)
      : undefined,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function list(title: string, names: string[]): string[] {
  return names.length === 0 ? [] : [title, ...names.map((n) => `  - ${n}`)];
}

export function formatStatus(st: TStatusResult): string {
  const failedLocally = st.failed.filter((name) => st.local.includes(name)).length;
  const applied = st.local.length - st.pending.length - failedLocally;
  const lines = [
    `${plural(st.local.length, "migration")} in prisma/migrations, ${applied} applied` +
      (st.hasMigrationsTable ? "" : " (no _prisma_migrations table yet)"),
    ...list("Pending (not applied yet; run `npm run db:migrate`):", st.pending),
    ...list(
      "Failed (undo its partial changes by hand, then " +
        "`tsx scripts/migrate.ts resolve --rolled-back <name>` so deploy retries it; " +
        "or finish it by hand and use `resolve --applied <name>`):",
      st.failed,
    ),
    ...list("Modified after being applied (checksum differs):", st.modified),
    ...list("Applied to the database but missing from prisma/migrations:", st.missingLocally),
  ];
  if (st.drift !== null) {
    lines.push("Drift: the database schema differs from what the applied migrations create:");
    lines.push(...st.drift.split("\n").map((l) => `  ${l}`.trimEnd()));
  }
  if (st.driftSkipped !== null) lines.push(`Drift not checked: ${st.driftSkipped}`);
  lines.push(
    st.inSync ? "Database is in sync with prisma/migrations." : "Database is NOT in sync.",
  );
  return lines.join("\n");
}

export function formatCheck(result: TCheckResult): string {
  const lines: string[] = [];
  if (result.schemaDiff === null) {
    lines.push("schema.prisma matches prisma/migrations.");
  } else {
    lines.push(
      "schema.prisma differs from prisma/migrations; a new migration needs " +
        "(run `npm run db:migration -- <name>`):",
      ...result.schemaDiff.trimEnd().split("\n").map((l) => `  ${l}`),
    );
  }
  lines.push(formatStatus(result.status));
  lines.push(result.ok ? "check passed" : "check FAILED");
  return lines.join("\n");
}

export type TCommand =
  | { kind: "help" }
  | { kind: "deploy" | "status" | "check" }
  | { kind: "create"; name: string }
  | { kind: "resolve"; action: TResolveAction; migration: string };

/** Parses the arguments; throws a MigrateError (with the usage) when they make no sense. */
export function parseArgs(argv: readonly string[]): TCommand {
  const [command, ...rest] = argv;
  const usage = (problem: string) => new MigrateError(`${problem}\n${USAGE}`);
  const noMoreThan = (n: number) => {
    if (rest.length > n) throw usage(`unexpected argument "${rest[n]}"`);
  };
  switch (command) {
    case "-h":
    case "--help":
    case "help":
      return { kind: "help" };
    case "deploy":
    case "status":
    case "check":
      noMoreThan(0);
      return { kind: command };
    case "create":
      noMoreThan(1);
      return { kind: "create", name: validateMigrationName(rest[0]) };
    case "resolve": {
      noMoreThan(2);
      const [flag, migration] = rest;
      if ((flag !== "--applied" && flag !== "--rolled-back") || migration === undefined) {
        throw usage("resolve needs --rolled-back or --applied and a migration name");
      }
      const action = flag === "--applied" ? "applied" : "rolled-back";
      return { kind: "resolve", action, migration };
    }
    case undefined:
      throw usage("no command given");
    default:
      throw usage(`unknown command "${command}"`);
  }
}

async function run(
  cmd: Exclude<TCommand, { kind: "help" }>,
  ctx: TMigrateContext,
): Promise<number> {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const target = describeConnection(ctx.connection);
  switch (cmd.kind) {
    case "deploy": {
      const started = Date.now();
      const result = await deploy(ctx);
      if (result.createdDatabase) out(`created database "${ctx.connection.database}"`);
      const ms = Date.now() - started;
      if (result.applied.length === 0) {
        out(`database is up to date (${target}, ${plural(result.total, "migration")}, ${ms} ms)`);
      } else {
        out(`${plural(result.applied.length, "migration")} applied to ${target} (${ms} ms):`);
        for (const name of result.applied) out(`  - ${name}`);
      }
      return 0;
    }
    case "create": {
      const result = await create(ctx, cmd.name);
      if (!result.created) {
        out("no schema changes: prisma/migrations already matches prisma/schema.prisma");
        return 0;
      }
      out(`created ${relative(process.cwd(), join(result.directory, "migration.sql"))}`);
      out(result.script.trimEnd());
      return 0;
    }
    case "status": {
      out(`Database ${target}`);
      const result = await status(ctx);
      out(formatStatus(result));
      return result.inSync ? 0 : 1;
    }
    case "check": {
      out(`Database ${target}`);
      const result = await check(ctx);
      out(formatCheck(result));
      return result.ok ? 0 : 1;
    }
    case "resolve": {
      await resolve(ctx, cmd.action, cmd.migration);
      out(`marked ${cmd.migration} as ${cmd.action} in ${target}`);
      return 0;
    }
  }
}

/** Runs one command line; returns the exit code (0 ok, 1 not in sync, 2 error). */
export async function main(argv: string[], env: TMigrateEnv = process.env): Promise<number> {
  let connection: TPgConnection | undefined;
  try {
    const cmd = parseArgs(argv);
    if (cmd.kind === "help") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const ctx = contextFromEnv(env);
    connection = ctx.connection;
    return await run(cmd, ctx);
  } catch (error) {
    const message =
      error instanceof MigrateError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    const prefix = argv[0] ? `migrate ${argv[0]}` : "migrate";
    process.stderr.write(`${prefix}: ${redactPassword(message, connection)}\n`);
    return 2;
  }
}

function loadDotEnv(root: string): void {
  const file = join(root, ".env");
  // loadEnvFile never overrides variables already set in the environment.
  if (existsSync(file)) process.loadEnvFile(file);
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  loadDotEnv(REPO_ROOT);
  const code = await main(process.argv.slice(2));
  // Pools exit on idle, but the wasm engine can keep the loop alive for seconds: exit now,
  // once stdout has been flushed.
  process.stdout.write("", () => process.exit(code));
}
