// The migrate commands as functions (deploy, create, status, check, resolve). They return
// results and never print or exit: scripts/migrate.ts formats them for the terminal.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { MigrationList, SchemaFilter } from "@prisma/schema-engine-wasm/schema_engine_bg";
import { MigrateError, redactPassword, type TPgConnection } from "./database-url.ts";
import {
  LOCKFILE_CONTENT,
  nextMigrationTimestamp,
  readMigrationsList,
  validateMigrationName,
  writeMigration,
} from "./migrations-dir.ts";
import { adminQuery, quoteIdent } from "./pg-connection.ts";
import { openSchemaEngine, runEngine, type SchemaEngine } from "./schema-engine.ts";

export type TMigrateContext = {
  connection: TPgConnection;
  /** Absolute path of prisma/migrations. */
  migrationsDir: string;
  /** Absolute path of prisma/schema.prisma. */
  schemaPath: string;
  /** Receives the schema engine's log lines (JSON) when set. */
  log?: (line: string) => void;
};

const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

async function withEngine<T>(
  ctx: TMigrateContext,
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const schema = await readFile(ctx.schemaPath, "utf8").catch((error: Error) => {
    throw new MigrateError(`cannot read the Prisma schema ${ctx.schemaPath}: ${error.message}`);
  });
  const { engine, close } = await openSchemaEngine({
    connection: ctx.connection,
    schemaFiles: [[ctx.schemaPath, schema]],
    log: ctx.log,
  });
  try {
    return await runEngine(() => fn(engine), ctx.connection);
  } finally {
    await close();
  }
}

async function schemaFiles(ctx: TMigrateContext) {
  return [{ path: ctx.schemaPath, content: await readFile(ctx.schemaPath, "utf8") }];
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Connects once with a plain client; turns the usual failures into readable errors. */
async function probeDatabase(ctx: TMigrateContext, createIfMissing: boolean): Promise<boolean> {
  const c = ctx.connection;
  const where = `${c.host}:${c.port}`;
  try {
    await adminQuery(c, "SELECT 1");
    return false;
  } catch (error) {
    const code = pgCode(error);
    if (code === "3D000" && createIfMissing) {
      // Like `prisma migrate deploy`: create the database when it does not exist yet.
      try {
        await adminQuery(c, `CREATE DATABASE ${quoteIdent(c.database)}`, [], "postgres");
        return true;
      } catch (createError) {
        // A concurrent deploy created it first (42P04, or 23505 when both raced in pg_database).
        const raced = pgCode(createError);
        if (raced === "42P04" || raced === "23505") return false;
        throw new MigrateError(
          `database "${c.database}" does not exist and could not be created: ` +
            redactPassword(String((createError as Error).message), c),
        );
      }
    }
    const message = redactPassword((error as Error).message ?? String(error), c);
    if (code === "3D000") {
      throw new MigrateError(`database "${c.database}" does not exist on ${where}`);
    }
    if (code === "28P01" || code === "28000") {
      throw new MigrateError(`PostgreSQL at ${where} refused user "${c.user}": ${message}`);
    }
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT") {
      throw new MigrateError(`cannot reach PostgreSQL at ${where} (${code}); is it running?`);
    }
    throw new MigrateError(`cannot connect to PostgreSQL at ${where}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// deploy

export type TDeployResult = {
  /** Names of the migrations applied by this run, in order. */
  applied: string[];
  /** How many migrations prisma/migrations holds. */
  total: number;
  /** The database did not exist and was created. */
  createdDatabase: boolean;
};

/** Applies pending migrations; records them in `_prisma_migrations` like Prisma Migrate. */
export async function deploy(ctx: TMigrateContext): Promise<TDeployResult> {
  const createdDatabase = await probeDatabase(ctx, true);
  const migrationsList = await readMigrationsList(ctx.migrationsDir);
  const total = migrationsList.migrationDirectories.length;
  if (total === 0) return { applied: [], total, createdDatabase };
  const { appliedMigrationNames } = await withEngine(ctx, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
  );
  return { applied: appliedMigrationNames, total, createdDatabase };
}

// ---------------------------------------------------------------------------------------------
// create

export type TCreateResult =
  | { created: false }
  | { created: true; directory: string; name: string; script: string };

/**
 * Diffs the existing migrations (replayed on a shadow database) against schema.prisma and
 * writes the difference as a new migration. Writes nothing when there is no difference.
 */
export async function create(
  ctx: TMigrateContext,
  rawName: string | undefined,
  now: Date = new Date(),
): Promise<TCreateResult> {
  const name = validateMigrationName(rawName);
  await probeDatabase(ctx, false);
  const migrationsList = await readMigrationsList(ctx.migrationsDir, {
    lockfileFallback: LOCKFILE_CONTENT,
  });
  const script = await withEngine(ctx, (engine) =>
    diffMigrationsToSchema(engine, ctx, migrationsList),
  );
  if (script === null) return { created: false };
  const existing = migrationsList.migrationDirectories.map((m) => m.path);
  const directoryName = `${nextMigrationTimestamp(existing, now)}_${name}`;
  const directory = await writeMigration(ctx.migrationsDir, directoryName, script);
  return { created: true, directory, name: basename(directory), script };
}

/** SQL turning the migrations' end state into schema.prisma's, or null when they agree. */
async function diffMigrationsToSchema(
  engine: SchemaEngine,
  ctx: TMigrateContext,
  migrationsList: MigrationList,
): Promise<string | null> {
  const result = await engine.diff({
    from: { tag: "migrations", ...migrationsList },
    to: { tag: "schemaDatamodel", files: await schemaFiles(ctx) },
    script: true,
    exitCode: true,
    filters: NO_FILTERS,
  });
  return result.exitCode === 2 ? (result.stdout ?? "") : null;
}

// ---------------------------------------------------------------------------------------------
// status

export type TStatusResult = {
  /** Migration directory names in prisma/migrations. */
  local: string[];
  /** Whether `_prisma_migrations` exists. */
  hasMigrationsTable: boolean;
  /** Local migrations not yet applied. */
  pending: string[];
  /** Migrations recorded as failed (started, never finished, not rolled back). */
  failed: string[];
  /** Applied migrations whose migration.sql changed afterwards (checksum mismatch). */
  modified: string[];
  /** Migrations recorded in the database that prisma/migrations does not have. */
  missingLocally: string[];
  /**
   * Human-readable difference between what the applied migrations produce and the live
   * schema (changes made by hand); null when there is none or when it was not checked.
   */
  drift: string | null;
  /** Why drift was not checked (history problems make the comparison meaningless). */
  driftSkipped: string | null;
  inSync: boolean;
};

export async function status(ctx: TMigrateContext): Promise<TStatusResult> {
  await probeDatabase(ctx, false);
  const migrationsList = await readMigrationsList(ctx.migrationsDir, {
    lockfileFallback: LOCKFILE_CONTENT,
  });
  return withEngine(ctx, (engine) => statusWith(engine, ctx, migrationsList));
}

async function statusWith(
  engine: SchemaEngine,
  ctx: TMigrateContext,
  migrationsList: MigrationList,
): Promise<TStatusResult> {
  const local = migrationsList.migrationDirectories.map((m) => m.path);
  const diagnosis = await engine.diagnoseMigrationHistory({
    migrationsList,
    optInToShadowDatabase: false,
    filters: NO_FILTERS,
  });
  const history = diagnosis.history;
  const pending =
    history?.diagnostic === "databaseIsBehind" || history?.diagnostic === "historiesDiverge"
      ? history.unappliedMigrationNames
      : [];
  const missingLocally =
    history?.diagnostic === "migrationsDirectoryIsBehind" ||
    history?.diagnostic === "historiesDiverge"
      ? history.unpersistedMigrationNames
      : [];
  const failed = diagnosis.failedMigrationNames;
  const modified = diagnosis.editedMigrationNames;

  let drift: string | null = null;
  let driftSkipped: string | null = null;
  if (missingLocally.length > 0) {
    driftSkipped = "the database has migrations that prisma/migrations lacks";
  } else if (failed.length > 0) {
    driftSkipped = "a migration failed part-way";
  } else {
    const applied = diagnosis.hasMigrationsTable
      ? await appliedMigrationNames(ctx)
      : new Set<string>();
    const appliedList: MigrationList = {
      ...migrationsList,
      migrationDirectories: migrationsList.migrationDirectories.filter((m) =>
        applied.has(m.path),
      ),
    };
    const result = await engine.diff({
      from: { tag: "migrations", ...appliedList },
      to: { tag: "schemaDatasource", files: await schemaFiles(ctx), configDir: ctx.migrationsDir },
      script: false,
      exitCode: true,
      filters: NO_FILTERS,
    });
    if (result.exitCode === 2) drift = (result.stdout ?? "").trim();
  }

  const inSync =
    pending.length === 0 &&
    failed.length === 0 &&
    modified.length === 0 &&
    missingLocally.length === 0 &&
    drift === null &&
    driftSkipped === null;
  return {
    local,
    hasMigrationsTable: diagnosis.hasMigrationsTable,
    pending,
    failed,
    modified,
    missingLocally,
    drift,
    driftSkipped,
    inSync,
  };
}

async function appliedMigrationNames(ctx: TMigrateContext): Promise<Set<string>> {
  const rows = await adminQuery<{ migration_name: string }>(
    ctx.connection,
    `SELECT migration_name FROM _prisma_migrations
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return new Set(rows.map((row) => row.migration_name));
}

// ---------------------------------------------------------------------------------------------
// check

export type TCheckResult = {
  /** SQL a new migration would need so that the migrations match schema.prisma; null if none. */
  schemaDiff: string | null;
  status: TStatusResult;
  ok: boolean;
};

/** For CI: schema.prisma and the migrations agree, and the database is in sync with both. */
export async function check(ctx: TMigrateContext): Promise<TCheckResult> {
  await probeDatabase(ctx, false);
  const migrationsList = await readMigrationsList(ctx.migrationsDir, {
    lockfileFallback: LOCKFILE_CONTENT,
  });
  const [schemaDiff, st] = await withEngine(ctx, async (engine) => [
    await diffMigrationsToSchema(engine, ctx, migrationsList),
    await statusWith(engine, ctx, migrationsList),
  ] as const);
  return { schemaDiff, status: st, ok: schemaDiff === null && st.inSync };
}


// ---------------------------------------------------------------------------------------------
// resolve (the `prisma migrate resolve` equivalent for failed migrations)

export type TResolveAction = "applied" | "rolled-back";

/**
 * Marks a failed migration as rolled back (the next deploy retries it) or as applied (it was
 * completed by hand). The database itself is not changed.
 */
export async function resolve(
  ctx: TMigrateContext,
  action: TResolveAction,
  migrationName: string,
): Promise<void> {
  await probeDatabase(ctx, false);
  const migrationsList = await readMigrationsList(ctx.migrationsDir, {
    lockfileFallback: LOCKFILE_CONTENT,
  });
  if (!migrationsList.migrationDirectories.some((m) => m.path === migrationName)) {
    throw new MigrateError(`no migration named "${migrationName}" in ${ctx.migrationsDir}`);
  }
  await withEngine(ctx, async (engine) => {
    if (action === "applied") {
      await engine.markMigrationApplied({ migrationName, migrationsList });
    } else {
      await engine.markMigrationRolledBack({ migrationName });
    }
  });
}
