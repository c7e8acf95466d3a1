// Runs scripts/migrate.ts against a fresh database of its own: deploy, _prisma_migrations rows,
// status/check in sync, drift made by hand detected, second deploy a no-op; `create` against a
// copy of prisma/ with a changed schema.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check, contextFromEnv, create, REPO_ROOT, status } from "./migrate.ts";

const baseUrl = process.env.DATABASE_URL;
if (!baseUrl) throw new Error("DATABASE_URL must be set for integration tests");

const dbName = `migrate_it_${Date.now()}_${randomBytes(3).toString("hex")}`;
const testUrl = (() => {
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  url.search = "";
  return url.href;
})();
const password = decodeURIComponent(new URL(baseUrl).password);
const migrationsDir = join(REPO_ROOT, "prisma", "migrations");

type TRun = { code: number; stdout: string; stderr: string };

/** Runs the CLI as `npm run db:*` would, with DATABASE_URL pointing at the test database. */
function migrate(args: string[], databaseUrl = testUrl): Promise<TRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/migrate.ts", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, MIGRATE_DEBUG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function sql<R extends pg.QueryResultRow>(text: string, database = dbName): Promise<R[]> {
  const url = new URL(baseUrl!);
  url.pathname = `/${database}`;
  url.search = "";
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

async function localMigrations(): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
}

describe("scripts/migrate.ts", () => {
  let local: string[];

  beforeAll(async () => {
    local = await localMigrations();
    expect(local.length).toBeGreaterThan(0);
    await sql(`CREATE DATABASE "${dbName}"`, "postgres");
  });

  afterAll(async () => {
    await sql(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`, "postgres");
  });

  it("deploys all migrations to a fresh database (standard _prisma_migrations)", async () => {
    const run = await migrate(["deploy"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${local.length} migrations? applied`, "m"));
    for (const name of local) expect(run.stdout).toContain(name);

    const rows = await sql<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>(`SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count
          FROM _prisma_migrations ORDER BY migration_name`);
    expect(rows.map((r) => r.migration_name)).toEqual(local);
    for (const row of rows) {
      const script = await readFile(join(migrationsDir, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(script).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    const tables = await sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["_prisma_migrations", "User", "Session"]),
    );
  });

  it("reports in sync (status exit 0) and no drift (check exit 0)", async () => {
    const st = await migrate(["status"]);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain("Database is in sync");
    expect(st.stdout).toContain(`${local.length} applied`);

    const ck = await migrate(["check"]);
    expect(ck.code).toBe(0);
    expect(ck.stdout).toContain("schema.prisma matches prisma/migrations");
    expect(ck.stdout).toContain("check passed");
  });

  it("a second deploy is a no-op", async () => {
    const before = await sql<{ id: string; started_at: Date }>(
      `SELECT id, started_at FROM _prisma_migrations ORDER BY id`,
    );
    const run = await migrate(["deploy"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^database is up to date/m);
    const after = await sql<{ id: string; started_at: Date }>(
      `SELECT id, started_at FROM _prisma_migrations ORDER BY id`,
    );
    expect(after).toEqual(before);
  });

  it("detects a column added by hand, and recovers when it is removed", async () => {
    await sql(`ALTER TABLE "User" ADD COLUMN "handAdded" INTEGER`);
    const st = await migrate(["status"]);
    expect(st.code).toBe(1);
    expect(st.stdout).toContain("Drift");
    expect(st.stdout).toContain("Added column `handAdded`");
    expect(st.stdout).toContain("NOT in sync");

    const ck = await migrate(["check"]);
    expect(ck.code).toBe(1);
    expect(ck.stdout).toContain("check FAILED");

    await sql(`ALTER TABLE "User" DROP COLUMN "handAdded"`);
    expect((await migrate(["status"])).code).toBe(0);
  });

  it("detects a table dropped by hand", async () => {
    await sql(`DROP TABLE "Session"`);
    const st = await migrate(["status"]);
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/Removed tables\s+- Session/);
    expect((await migrate(["check"])).code).toBe(1);
  });

  it("reports a migration edited after it was applied", async () => {
    const ctx = contextFromEnv({ DATABASE_URL: testUrl }, REPO_ROOT);
    await sql(`UPDATE _prisma_migrations SET checksum = repeat('0', 64)
                WHERE migration_name = '${local[0]}'`);
    const result = await status(ctx);
    expect(result.modified).toEqual([local[0]]);
    expect(result.inSync).toBe(false);
  });

  it("create: nothing without schema changes, a new migration for a changed schema", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "migrate-it-"));
    try {
      await cp(join(REPO_ROOT, "prisma", "migrations"), join(tmp, "prisma", "migrations"), {
        recursive: true,
      });
      const schema = await readFile(join(REPO_ROOT, "prisma", "schema.prisma"), "utf8");
      await writeFile(join(tmp, "prisma", "schema.prisma"), schema);
      const ctx = contextFromEnv({ DATABASE_URL: testUrl }, tmp);

      expect(await create(ctx, "nothing_changed")).toEqual({ created: false });
      expect((await localDirs(tmp)).length).toBe(local.length);

      await writeFile(
        join(tmp, "prisma", "schema.prisma"),
        `${schema}\nmodel MigrateItWidget {\n  id   Int    @id\n  name String\n}\n`,
      );
      const drift = await check(ctx);
      expect(drift.schemaDiff).toContain(`CREATE TABLE "MigrateItWidget"`);
      expect(drift.ok).toBe(false);

      const made = await create(ctx, "add_widget", new Date("2031-02-03T04:05:06Z"));
      expect(made.created).toBe(true);
      const dirs = await localDirs(tmp);
      expect(dirs.at(-1)).toBe("20310203040506_add_widget");
      const written = await readFile(
        join(tmp, "prisma", "migrations", "20310203040506_add_widget", "migration.sql"),
        "utf8",
      );
      expect(written).toContain(`CREATE TABLE "MigrateItWidget"`);
      expect((await check(ctx)).schemaDiff).toBeNull();
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("rejects bad input with clear errors and never prints the password", async () => {
    const badName = await migrate(["create", "Add-Widget"]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain("invalid migration name");

    const noDb = await migrate(["status"], "postgresql://saas@127.0.0.1:5432");
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain("DATABASE_URL has no database name");

    const wrongPassword = new URL(testUrl);
    wrongPassword.password = `${password}-wrong`;
    const denied = await migrate(["status"], wrongPassword.href);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("refused user");
    expect(`${denied.stdout}${denied.stderr}`).not.toContain(wrongPassword.password);
  });
});

async function localDirs(root: string): Promise<string[]> {
  const entries = await readdir(join(root, "prisma", "migrations"), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}
