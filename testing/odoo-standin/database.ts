// PostgreSQL side of the Odoo test image: waiting for the server, creating and initialising a
// database with a small but real subset of Odoo's schema, attachments and their filestore.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { AVAILABLE_MODULES, BASE_MODULES, moduleInfo, planInstalledDatabase, planNewDatabase } from "./modules.ts";
import { ADMIN_PASSWORD_HASH, checkPassword, DEMO_PASSWORD_HASH, hashPassword } from "./passwords.ts";

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
// Schema and initial data (the exact tables and columns are listed in README.md)
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
     id serial PRIMARY KEY, name varchar, complete_name varchar, email varchar, phone varchar,
     company_id integer, is_company boolean DEFAULT false, type varchar DEFAULT 'contact', lang varchar,
     tz varchar, active boolean DEFAULT true, ${AUDIT})`,
  // name, email and phone are Odoo's stored related fields of the company's partner.
  `CREATE TABLE res_company (
     id serial PRIMARY KEY, name varchar NOT NULL, partner_id integer NOT NULL REFERENCES res_partner(id),
     email varchar, phone varchar, ${AUDIT},
     CONSTRAINT res_company_name_uniq UNIQUE (name))`,
  // No name/email here: Odoo keeps them on the user's res_partner (partner_id).
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

/** Users allowed to set web.base.url at login (Odoo: members of base.group_system). */
const SYSTEM_USER_IDS: ReadonlySet<number> = new Set([1, 2]);

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

function svg(width: number, label: string, fill: string): Buffer {
  const height = Math.round(width / 3);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 180 60">` +
      `<rect width="180" height="60" fill="${fill}"/><text x="14" y="38" fill="#fff" font-size="20">${label}</text></svg>\n`,
  );
}

/**
 * The 9 files `-i base` writes (real Odoo 17 wrote 9 here: the company logo and its resized
 * copies, avatars). Field attachments as Odoo stores them; the same content in every database.
 */
export const INITIAL_ATTACHMENTS: readonly AttachmentInput[] = [
  ...[1920, 1024, 512, 256, 128].map((size) => ({
    content: svg(size, "My Company", "#714B67"),
    name: `image_${size}`,
    mimetype: "image/svg+xml",
    resModel: "res.partner",
    resField: `image_${size}`,
    resId: 1,
  })),
  { content: svg(180, "My Company", "#875A7B"), name: "logo_web", mimetype: "image/svg+xml", resModel: "res.company", resField: "logo_web", resId: 1 },
  { content: svg(1920, "OdooBot", "#017E84"), name: "image_1920", mimetype: "image/svg+xml", resModel: "res.partner", resField: "image_1920", resId: 2 },
  { content: svg(1920, "A", "#E46E78"), name: "image_1920", mimetype: "image/svg+xml", resModel: "res.partner", resField: "image_1920", resId: 3 },
  { content: svg(128, "A", "#E46E78"), name: "image_128", mimetype: "image/svg+xml", resModel: "res.partner", resField: "image_128", resId: 3 },
];

/** ir.attachment with file storage: `<data_dir>/filestore/<db>/<sha1[:2]>/<sha1>`. */
export function filestorePath(dataDir: string, db: string, sha1: string): string {
  return path.join(dataDir, "filestore", db, sha1.slice(0, 2), sha1);
}

/** ir_attachment._mark_for_gc: an empty `<filestore>/checklist/<sha1[:2]>/<sha1>` per file written. */
export function checklistPath(dataDir: string, db: string, sha1: string): string {
  return path.join(dataDir, "filestore", db, "checklist", sha1.slice(0, 2), sha1);
}

async function writeNewFile(file: string, content: Buffer): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, content, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
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
  // ir_attachment._file_write: a file that is already there (same content) is not rewritten.
  if (await writeNewFile(filePath, input.content)) await writeNewFile(checklistPath(dataDir, db, sha1), Buffer.alloc(0));
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
  /** http_port: web.base.url is `http://localhost:<http_port>`, as Odoo's default. */
  httpPort: number;
  /** The modules named by -i (base and its set are always installed). */
  requested: readonly string[];
  /** How long one unit of the install plan takes (STANDIN_INIT_SECONDS_PER_MODULE). */
  msPerModule: number;
  /** Overrides the planned duration (STANDIN_MODE=slow-init). */
  durationMs?: number | undefined;
}

export interface InitResult {
  status: "initialized" | "already";
  installed: string[];
  invalid: string[];
}

function formatUtc(date: Date): string {
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

async function upsertModules(client: pg.Client, series: string, names: readonly string[], state: "installed" | "uninstalled", demo: boolean): Promise<void> {
  for (const name of names) {
    const module = moduleInfo(name);
    await client.query(
      `INSERT INTO ir_module_module (name, state, latest_version, shortdesc, author, license, demo,
         create_uid, create_date, write_uid, write_date)
       VALUES ($1, $2, $3, $4, 'Odoo S.A.', 'LGPL-3', $5, 1, ${NOW}, 1, ${NOW})
       ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, latest_version = EXCLUDED.latest_version,
         demo = EXCLUDED.demo, write_date = EXCLUDED.write_date`,
      [name, state, state === "installed" ? `${series}.${module.version}` : null, JSON.stringify({ en_US: module.shortdesc }), demo],
    );
  }
}

async function setParam(client: pg.Client, key: string, value: string): Promise<void> {
  await client.query(
    `INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
     VALUES ($1, $2, 1, ${NOW}, 1, ${NOW})
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date`,
    [key, value],
  );
}

const INIT_LOCK_KEY = 8069_0001;

/**
 * `-i` on an empty database. Returns "already" (and changes nothing) when the database is
 * initialised. Everything happens in one transaction: an interrupted init leaves an empty
 * database (and, as with Odoo, possibly some filestore files with their checklist markers).
 */
export async function initializeDatabase(target: PgTarget, db: string, options: InitOptions): Promise<InitResult> {
  const plan = planNewDatabase(options.requested);
  const durationMs = options.durationMs ?? plan.units * options.msPerModule;
  const started = Date.now();
  return withClient(target, db, async (client) => {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [INIT_LOCK_KEY]);
      if (await isInitialized(client)) {
        await client.query("COMMIT");
        return { status: "already", installed: [], invalid: plan.invalid };
      }
      for (const statement of SCHEMA) await client.query(statement);

      const installed = [...BASE_MODULES.map((module) => module.name), ...plan.install];
      await upsertModules(client, options.series, installed, "installed", options.withDemo);
      await upsertModules(client, options.series, AVAILABLE_MODULES.map((module) => module.name).filter((name) => !installed.includes(name)), "uninstalled", false);

      for (const [key, value] of [
        ["database.secret", randomUUID()],
        ["database.uuid", randomUUID()],
        ["database.create_date", formatUtc(new Date())],
        ["web.base.url", `http://localhost:${options.httpPort}`],
        ["base.login_cooldown_after", "10"],
        ["base.login_cooldown_duration", "60"],
      ] as const) {
        await setParam(client, key, value);
      }

      // Demo data renames the company and the admin, as Odoo's base demo data does.
      const demo = options.withDemo;
      const company = demo ? { name: "YourCompany", email: "info@yourcompany.com" } : { name: "My Company", email: null };
      const admin = demo ? { name: "Mitchell Admin", email: "admin@yourcompany.example.com" } : { name: "Administrator", email: "admin@example.com" };
      await client.query(
        `INSERT INTO res_partner (id, name, complete_name, email, company_id, is_company, type, lang, active, create_uid, create_date, write_uid, write_date)
         VALUES (1, $1, $1, $2, 1, true, 'contact', 'en_US', true, 1, ${NOW}, 1, ${NOW}),
                (2, 'OdooBot', 'OdooBot', 'odoobot@example.com', 1, false, 'contact', 'en_US', true, 1, ${NOW}, 1, ${NOW}),
                (3, $3, $3, $4, 1, false, 'contact', 'en_US', true, 1, ${NOW}, 1, ${NOW})`,
        [company.name, company.email, admin.name, admin.email],
      );
      await client.query(
        `INSERT INTO res_company (id, name, partner_id, email, phone, create_uid, create_date, write_uid, write_date)
         VALUES (1, $1, 1, $2, NULL, 1, ${NOW}, 1, ${NOW})`,
        [company.name, company.email],
      );
      await client.query(
        `INSERT INTO res_users (id, login, password, partner_id, company_id, active, share, create_uid, create_date, write_uid, write_date)
         VALUES (1, '__system__', NULL, 2, 1, false, false, 1, ${NOW}, 1, ${NOW}),
                (2, 'admin', $1, 3, 1, true, false, 1, ${NOW}, 1, ${NOW})`,
        [ADMIN_PASSWORD_HASH],
      );
      if (demo) {
        await client.query(
          `INSERT INTO res_partner (id, name, complete_name, email, company_id, is_company, type, lang, active, create_uid, create_date, write_uid, write_date)
           VALUES (7, 'Marc Demo', 'Marc Demo', 'mark.brown23@example.com', 1, false, 'contact', 'en_US', true, 1, ${NOW}, 1, ${NOW})`,
        );
        await client.query(
          `INSERT INTO res_users (id, login, password, partner_id, company_id, active, share, create_uid, create_date, write_uid, write_date)
           VALUES (6, 'demo', $1, 7, 1, true, false, 1, ${NOW}, 1, ${NOW})`,
          [DEMO_PASSWORD_HASH],
        );
      }
      for (const table of ["res_partner", "res_company", "res_users"]) {
        await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM ${pg.escapeIdentifier(table)}))`, [table]);
      }

      for (const attachment of INITIAL_ATTACHMENTS) await storeAttachment(client, options.dataDir, db, attachment);

      const remaining = durationMs - (Date.now() - started);
      if (remaining > 0) await sleep(remaining);
      await client.query("COMMIT");
      return { status: "initialized", installed, invalid: plan.invalid };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
}

/** -i/-u on an initialised database: install missing modules (taking their time), touch updated ones. */
export async function loadModules(
  target: PgTarget,
  db: string,
  options: { series: string; install: readonly string[]; update: readonly string[]; msPerModule: number },
): Promise<{ installed: string[]; updated: string[]; invalid: string[] }> {
  return withClient(target, db, async (client) => {
    await client.query("BEGIN");
    try {
      const existing = await client.query<{ name: string }>("SELECT name FROM ir_module_module WHERE state = 'installed'");
      const installedNames = new Set(existing.rows.map((row) => row.name));
      const plan = planInstalledDatabase(options.install, installedNames);
      await upsertModules(client, options.series, plan.install, "installed", false);
      const toUpdate = options.update.includes("all") ? [...installedNames] : options.update.filter((name) => installedNames.has(name));
      if (toUpdate.length > 0) {
        await client.query(`UPDATE ir_module_module SET write_date = ${NOW} WHERE name = ANY($1::varchar[])`, [toUpdate]);
      }
      if (plan.units > 0) await sleep(plan.units * options.msPerModule);
      await client.query("COMMIT");
      return { installed: plan.install, updated: toUpdate, invalid: plan.invalid };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Login (res.users.authenticate)
// ---------------------------------------------------------------------------------------------

export interface AuthenticateOptions {
  /** user_agent_env['base_location']: the web login passes the request's URL root. */
  baseLocation?: string | undefined;
}

/**
 * common.login / common.authenticate / the /web/login form: the uid, or false. Only active users;
 * res_users.password is a passlib pbkdf2-sha512 hash or a deprecated plaintext value (replaced by
 * a hash on a successful login). A system user logging in with a base location sets web.base.url
 * to it unless `web.base.url.freeze` is set (non-empty), as Odoo does.
 */
export async function authenticate(
  target: PgTarget,
  db: string,
  login: string,
  password: string,
  options: AuthenticateOptions = {},
): Promise<number | false> {
  return withClient(target, db, async (client) => {
    if (!(await isInitialized(client))) return false;
    const result = await client.query<{ id: number; password: string | null }>(
      "SELECT id, password FROM res_users WHERE login = $1 AND active ORDER BY id LIMIT 1",
      [login],
    );
    const row = result.rows[0];
    if (!row) return false;
    const check = await checkPassword(password, row.password);
    if (check === "invalid") return false;
    if (check === "valid-plaintext") {
      await client.query(`UPDATE res_users SET password = $1, write_date = ${NOW} WHERE id = $2`, [await hashPassword(password), row.id]);
    }
    if (options.baseLocation && SYSTEM_USER_IDS.has(row.id)) {
      const freeze = await client.query<{ value: string }>("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url.freeze'");
      if (!freeze.rows[0]?.value) await setParam(client, "web.base.url", options.baseLocation);
    }
    return row.id;
  });
}
