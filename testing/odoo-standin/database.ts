// PostgreSQL side of the Odoo test image: waiting for the server, creating and initialising a
// database with a small but real subset of Odoo's schema, attachments and their filestore.
import { createHash, pbkdf2Sync, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function clientConfig(target: PgTarget, database: string, connectTimeoutMs = 5_000): pg.ClientConfig {
  return {
    host: target.host === "" ? undefined : target.host,
    port: target.port,
    user: target.user === "" ? undefined : target.user,
    password: target.password,
    database,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: "odoo",
  };
}

export async function withClient<T>(
  target: PgTarget,
  database: string,
  fn: (client: pg.Client) => Promise<T>,
  connectTimeoutMs?: number,
): Promise<T> {
  const client = new pg.Client(clientConfig(target, database, connectTimeoutMs));
  // An idle client whose server goes away emits 'error'; without a listener that would crash.
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * wait-for-psql.py: try to connect to database `postgres`, sleep a second, until `timeoutSeconds`
 * have passed since the start; then fail with the last error.
 */
export async function waitForPostgres(target: PgTarget, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    try {
      const remaining = deadline - Date.now();
      await withClient(target, "postgres", async () => undefined, Math.max(500, Math.min(5_000, remaining)));
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await sleep(1000);
    if (Date.now() >= deadline) {
      // One last attempt at the deadline, so that the error reported is current.
      await withClient(target, "postgres", async () => undefined, 1_000);
      return;
    }
  }
}

/** The ?db_server_status=1 probe of /web/health. */
export async function databaseServerUp(target: PgTarget): Promise<boolean> {
  try {
    await withClient(target, "postgres", async (client) => client.query("SELECT 1"), 3_000);
    return true;
  } catch {
    return false;
  }
}

/** odoo.service.db.list_dbs: databases owned by the current role, templates and postgres excluded. */
export async function listOwnedDatabases(target: PgTarget): Promise<string[]> {
  return withClient(target, "postgres", async (client) => {
    const result = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datdba = (SELECT usesysid FROM pg_user WHERE usename = current_user)
          AND NOT datistemplate AND datallowconn AND datname <> 'postgres'
        ORDER BY datname`,
    );
    return result.rows.map((row) => row.datname);
  });
}

export async function databaseExists(target: PgTarget, name: string): Promise<boolean> {
  return withClient(target, "postgres", async (client) => {
    const result = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return (result.rowCount ?? 0) > 0;
  });
}

/** odoo.service.db._create_empty_database: "exists" when the database is already there. */
export async function createEmptyDatabase(target: PgTarget, name: string, template: string): Promise<"created" | "exists"> {
  return withClient(target, "postgres", async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if ((found.rowCount ?? 0) > 0) return "exists";
    const collate = template === "template0" ? " LC_COLLATE 'C'" : "";
    await client.query(
      `CREATE DATABASE ${pg.escapeIdentifier(name)} ENCODING 'unicode'${collate} TEMPLATE ${pg.escapeIdentifier(template)}`,
    );
    return "created";
  });
}

/** odoo.modules.db.is_initialized */
export async function isInitialized(client: pg.Client): Promise<boolean> {
  const result = await client.query<{ exists: boolean }>("SELECT to_regclass('public.ir_module_module') IS NOT NULL AS exists");
  return result.rows[0]?.exists === true;
}

// ---------------------------------------------------------------------------------------------
// Passwords (passlib's pbkdf2_sha512 format, as Odoo stores them)
// ---------------------------------------------------------------------------------------------

const PBKDF2_ROUNDS = 6_000; // Odoo uses 600k; verification accepts any count, init stays fast.

function ab64Encode(buffer: Buffer): string {
  return buffer.toString("base64").replace(/=+$/, "").replace(/\+/g, ".");
}

function ab64Decode(text: string): Buffer {
  return Buffer.from(text.replace(/\./g, "+"), "base64");
}

export function hashPassword(password: string, rounds = PBKDF2_ROUNDS): string {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, rounds, 64, "sha512");
  return `$pbkdf2-sha512$${rounds}$${ab64Encode(salt)}$${ab64Encode(hash)}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split("$");
  if (parts.length !== 5 || parts[1] !== "pbkdf2-sha512") return false;
  const rounds = Number.parseInt(parts[2] ?? "", 10);
  if (!Number.isFinite(rounds) || rounds < 1) return false;
  const expected = ab64Decode(parts[4] ?? "");
  const actual = pbkdf2Sync(password, ab64Decode(parts[3] ?? ""), rounds, expected.length || 64, "sha512");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// ---------------------------------------------------------------------------------------------
// Schema and initial data
// ---------------------------------------------------------------------------------------------

const AUDIT = `create_uid integer, create_date timestamp without time zone,
  write_uid integer, write_date timestamp without time zone`;
const NOW = "(now() AT TIME ZONE 'UTC')";

const SCHEMA: readonly string[] = [
  `CREATE TABLE ir_module_module (
     id serial PRIMARY KEY, name varchar NOT NULL, state varchar(16), latest_version varchar,
     shortdesc jsonb, author varchar, license varchar(32), application boolean DEFAULT false,
     demo boolean DEFAULT false, ${AUDIT},
     CONSTRAINT ir_module_module_name_uniq UNIQUE (name))`,
  `CREATE TABLE ir_config_parameter (
     id serial PRIMARY KEY, key varchar NOT NULL, value text NOT NULL, ${AUDIT},
     CONSTRAINT ir_config_parameter_key_uniq UNIQUE (key))`,
  `CREATE TABLE res_partner (
     id serial PRIMARY KEY, name varchar, complete_name varchar, email varchar, company_id integer,
     active boolean DEFAULT true, ${AUDIT})`,
  `CREATE TABLE res_company (
     id serial PRIMARY KEY, name varchar NOT NULL, partner_id integer NOT NULL REFERENCES res_partner(id),
     ${AUDIT})`,
  `CREATE TABLE res_users (
     id serial PRIMARY KEY, login varchar NOT NULL, password varchar,
     partner_id integer NOT NULL REFERENCES res_partner(id),
     company_id integer NOT NULL REFERENCES res_company(id),
     active boolean DEFAULT true, share boolean DEFAULT false, ${AUDIT},
     CONSTRAINT res_users_login_key UNIQUE (login))`,
  `CREATE TABLE ir_attachment (
     id serial PRIMARY KEY, name varchar NOT NULL, description text, res_model varchar, res_field varchar,
     res_id integer, company_id integer, type varchar NOT NULL DEFAULT 'binary', url varchar(1024),
     public boolean, access_token varchar, db_datas bytea, store_fname varchar, file_size integer,
     checksum varchar(40), mimetype varchar, index_content text, ${AUDIT})`,
  "CREATE INDEX ir_attachment_res_idx ON ir_attachment (res_model, res_id)",
  "CREATE INDEX ir_attachment__checksum_index ON ir_attachment (checksum)",
];

/** Module versions as Odoo's adapt_version() writes them: `<series>.<manifest version>`. */
const CORE_MODULES: readonly { name: string; version: string; shortdesc: string; author: string }[] = [
  { name: "base", version: "1.3", shortdesc: "Base", author: "Odoo S.A." },
  { name: "web", version: "1.0", shortdesc: "Web", author: "Odoo S.A." },
];

export const MODULE_NAME_PATTERN = /^[a-z0-9_]+$/;

/** The attachment written by `-i base` (the company logo), identical in every database. */
export const INITIAL_ATTACHMENT = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="60" viewBox="0 0 180 60">' +
    '<rect width="180" height="60" fill="#714B67"/><text x="14" y="38" fill="#fff" font-size="20">My Company</text></svg>\n',
);

export interface AttachmentRow {
  id: number;
  sha1: string;
  storeFname: string;
  fileSize: number;
  filePath: string;
}

export interface AttachmentInput {
  content: Buffer;
  name: string;
  mimetype: string;
  resModel?: string | undefined;
  resField?: string | undefined;
  resId?: number | undefined;
}

/** ir.attachment with file storage: `<data_dir>/filestore/<db>/<sha1[:2]>/<sha1>`. */
export function filestorePath(dataDir: string, db: string, sha1: string): string {
  return path.join(dataDir, "filestore", db, sha1.slice(0, 2), sha1);
}

export async function storeAttachment(
  client: pg.Client,
  dataDir: string,
  db: string,
  input: AttachmentInput,
): Promise<AttachmentRow> {
  const sha1 = createHash("sha1").update(input.content).digest("hex");
  const storeFname = `${sha1.slice(0, 2)}/${sha1}`;
  const filePath = filestorePath(dataDir, db, sha1);
  await mkdir(path.dirname(filePath), { recursive: true });
  try {
    await writeFile(filePath, input.content, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const result = await client.query<{ id: number }>(
    `INSERT INTO ir_attachment (name, res_model, res_field, res_id, company_id, type, public, store_fname,
       file_size, checksum, mimetype, create_uid, create_date, write_uid, write_date)
     VALUES ($1, $2, $3, $4, 1, 'binary', false, $5, $6, $7, $8, 1, ${NOW}, 1, ${NOW}) RETURNING id`,
    [input.name, input.resModel ?? null, input.resField ?? null, input.resId ?? null, storeFname, input.content.length, sha1, input.mimetype],
  );
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error("ir_attachment insert returned no id");
  return { id, sha1, storeFname, fileSize: input.content.length, filePath };
}

export interface InitOptions {
  series: string;
  withDemo: boolean;
  dataDir: string;
  /** Extra modules named by -i besides base/web. */
  modules: string[];
  /** Simulated duration of the installation. */
  delayMs: number;
}

function formatUtc(date: Date): string {
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

async function insertModules(client: pg.Client, series: string, modules: readonly { name: string; version: string; shortdesc: string; author: string }[], demo: boolean): Promise<void> {
  for (const module of modules) {
    await client.query(
      `INSERT INTO ir_module_module (name, state, latest_version, shortdesc, author, license, demo,
         create_uid, create_date, write_uid, write_date)
       VALUES ($1, 'installed', $2, $3, $4, 'LGPL-3', $5, 1, ${NOW}, 1, ${NOW})
       ON CONFLICT (name) DO UPDATE SET state = 'installed', latest_version = EXCLUDED.latest_version,
         write_date = EXCLUDED.write_date`,
      [module.name, `${series}.${module.version}`, JSON.stringify({ en_US: module.shortdesc }), module.author, demo],
    );
  }
}

function extraModules(names: readonly string[]): { name: string; version: string; shortdesc: string; author: string }[] {
  return names
    .filter((name) => !CORE_MODULES.some((core) => core.name === name))
    .map((name) => ({ name, version: "1.0", shortdesc: name, author: "Odoo S.A." }));
}

const INIT_LOCK_KEY = 8069_0001;

/**
 * `-i base` on an empty database. Returns "already" (and changes nothing) when the database is
 * initialised. Everything happens in one transaction: an interrupted init leaves an empty database.
 */
export async function initializeDatabase(target: PgTarget, db: string, options: InitOptions): Promise<"initialized" | "already"> {
  return withClient(target, db, async (client) => {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [INIT_LOCK_KEY]);
      if (await isInitialized(client)) {
        await client.query("COMMIT");
        return "already";
      }
      if (options.delayMs > 0) await sleep(options.delayMs);
      for (const statement of SCHEMA) await client.query(statement);

      await insertModules(client, options.series, [...CORE_MODULES, ...extraModules(options.modules)], options.withDemo);

      const params: [string, string][] = [
        ["database.secret", randomUUID()],
        ["database.uuid", randomUUID()],
        ["database.create_date", formatUtc(new Date())],
        ["web.base.url", "http://localhost:8069"],
        ["base.login_cooldown_after", "10"],
        ["base.login_cooldown_duration", "60"],
      ];
      for (const [key, value] of params) {
        await client.query(
          `INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
           VALUES ($1, $2, 1, ${NOW}, 1, ${NOW})`,
          [key, value],
        );
      }

      const adminName = options.withDemo ? "Mitchell Admin" : "Administrator";
      await client.query(
        `INSERT INTO res_partner (id, name, complete_name, email, company_id, active, create_uid, create_date, write_uid, write_date)
         VALUES (1, 'My Company', 'My Company', NULL, 1, true, 1, ${NOW}, 1, ${NOW}),
                (2, 'OdooBot', 'OdooBot', 'odoobot@example.com', 1, true, 1, ${NOW}, 1, ${NOW}),
                (3, $1, $1, 'admin@example.com', 1, true, 1, ${NOW}, 1, ${NOW})`,
        [adminName],
      );
      await client.query(
        `INSERT INTO res_company (id, name, partner_id, create_uid, create_date, write_uid, write_date)
         VALUES (1, 'My Company', 1, 1, ${NOW}, 1, ${NOW})`,
      );
      await client.query(
        `INSERT INTO res_users (id, login, password, partner_id, company_id, active, share, create_uid, create_date, write_uid, write_date)
         VALUES (1, '__system__', NULL, 2, 1, false, false, 1, ${NOW}, 1, ${NOW}),
                (2, 'admin', $1, 3, 1, true, false, 1, ${NOW}, 1, ${NOW})`,
        [hashPassword("admin")],
      );
      if (options.withDemo) {
        await client.query(
          `INSERT INTO res_partner (id, name, complete_name, email, company_id, active, create_uid, create_date, write_uid, write_date)
           VALUES (7, 'Marc Demo', 'Marc Demo', 'mark.brown23@example.com', 1, true, 1, ${NOW}, 1, ${NOW})`,
        );
        await client.query(
          `INSERT INTO res_users (id, login, password, partner_id, company_id, active, share, create_uid, create_date, write_uid, write_date)
           VALUES (6, 'demo', $1, 7, 1, true, false, 1, ${NOW}, 1, ${NOW})`,
          [hashPassword("demo")],
        );
      }
      for (const table of ["res_partner", "res_company", "res_users"]) {
        await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM ${pg.escapeIdentifier(table)}))`, [table]);
      }

      await storeAttachment(client, options.dataDir, db, {
        content: INITIAL_ATTACHMENT,
        name: "image_1920",
        mimetype: "image/svg+xml",
        resModel: "res.partner",
        resField: "image_1920",
        resId: 1,
      });
      await client.query("COMMIT");
      return "initialized";
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
}

/** -i/-u on an initialised database: install missing modules, touch updated ones. */
export async function loadModules(
  target: PgTarget,
  db: string,
  series: string,
  install: readonly string[],
  update: readonly string[],
): Promise<{ installed: string[]; updated: string[] }> {
  return withClient(target, db, async (client) => {
    const existing = await client.query<{ name: string }>("SELECT name FROM ir_module_module WHERE state = 'installed'");
    const installedNames = new Set(existing.rows.map((row) => row.name));
    const toInstall = install.filter((name) => !installedNames.has(name) && name !== "all");
    await insertModules(client, series, [...CORE_MODULES.filter((m) => toInstall.includes(m.name)), ...extraModules(toInstall)], false);
    const toUpdate = update.includes("all") ? [...installedNames] : update.filter((name) => installedNames.has(name));
    if (toUpdate.length > 0) {
      await client.query(`UPDATE ir_module_module SET write_date = ${NOW} WHERE name = ANY($1::varchar[])`, [toUpdate]);
    }
    return { installed: toInstall, updated: toUpdate };
  });
}

/** common.login / authenticate: the uid, or false. */
export async function authenticate(target: PgTarget, db: string, login: string, password: string): Promise<number | false> {
  return withClient(target, db, async (client) => {
    if (!(await isInitialized(client))) return false;
    const result = await client.query<{ id: number; password: string | null }>(
      "SELECT id, password FROM res_users WHERE login = $1 AND active",
      [login],
    );
    const row = result.rows[0];
    if (!row?.password) return false;
    return verifyPassword(password, row.password) ? row.id : false;
  });
}
