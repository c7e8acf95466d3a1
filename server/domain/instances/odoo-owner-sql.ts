import { randomUUID } from "node:crypto";
import type pg from "pg";

/**
 * The SQL the platform runs in an instance's own database (as its tenant role) to hand it over:
 * the owner's login, the company's identity, the public URL. Odoo's tables and columns as
 * Odoo 17 leaves them after `-i base` (contract odoo-test-image.md, "What -i base leaves"): a
 * user's name, email, language and timezone live on its partner; the company's name and email
 * are stored on both `res_company` and its partner.
 */

/** `base.user_admin`: id 2 since Odoo 12, found through Odoo's own external id when present. */
export async function adminUserId(client: pg.ClientBase): Promise<number> {
  const table = await client.query<{ present: boolean }>("SELECT to_regclass('public.ir_model_data') IS NOT NULL AS present");
  if (table.rows[0]?.present) {
    const found = await client.query<{ res_id: number }>(
      "SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'user_admin' AND model = 'res.users'",
    );
    if (found.rows[0]) return found.rows[0].res_id;
  }
  return 2;
}

export interface OwnerIdentity {
  /** The admin user's login and email: the instance's admin email. */
  login: string;
  /** Odoo's own hash of the new admin password; null leaves the password as it is. */
  passwordHash: string | null;
  /** The instance's public URL, or null while it is not known yet (published port not assigned). */
  baseUrl: string | null;
  /** A copy of another database (template, backup): it gets its own uuid, secret and creation date. */
  newDatabaseIdentity: boolean;
  /**
   * Who the database belongs to, for a database the platform initialised: the admin's name,
   * language and timezone, the company's name and email. Left out for a backup's database,
   * whose company and users are the customer's own data.
   */
  profile?: { ownerName: string; lang: string; tz: string; company: string; companyEmail: string };
}

const setParams = (client: pg.ClientBase, params: Record<string, string>) =>
  client.query(
    `INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
     SELECT key, value, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
     FROM unnest($1::text[], $2::text[]) AS p(key, value)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = 1, write_date = EXCLUDED.write_date`,
    [Object.keys(params), Object.values(params)],
  );

/** `YYYY-MM-DD HH:MM:SS` in UTC, as Odoo writes `database.create_date`. */
const odooDatetime = (date: Date) => date.toISOString().slice(0, 19).replace("T", " ");

/**
 * Odoo keeps `ir.config_parameter` values and session tokens in its caches; a running Odoo
 * notices that another process changed the database through its signaling sequences (17.0:
 * `base_cache_signaling_<cache>`, 16.0: `base_cache_signaling`) and clears them on its next
 * request. Absent sequences (a database Odoo never served) are skipped.
 */
async function signalCacheChange(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'S' AND n.nspname = 'public' AND c.relname IN ('base_cache_signaling', 'base_cache_signaling_default')`,
  );
  for (const { name } of rows) await client.query(`SELECT nextval('${name}')`);
}

/** Writes the owner's identity into the database, in one transaction. */
export async function writeOwnerIdentity(client: pg.ClientBase, identity: OwnerIdentity): Promise<void> {
  await client.query("BEGIN");
  try {
    const uid = await adminUserId(client);
    // The login is unique: when another of the customer's users (a backup's) has it already,
    // the admin keeps its own login and only the password changes.
    const user = await client.query(
      `UPDATE res_users SET
         login = CASE WHEN EXISTS (SELECT 1 FROM res_users other WHERE other.login = $2 AND other.id <> $1) THEN login ELSE $2 END,
         password = COALESCE($3, password), active = true, write_uid = 1, write_date = now() AT TIME ZONE 'UTC'
       WHERE id = $1`,
      [uid, identity.login, identity.passwordHash],
    );
    if (user.rowCount !== 1) throw new Error("the database has no Odoo administrator user (base.user_admin)");
    const { profile } = identity;
    if (profile) {
      await client.query(
        `UPDATE res_partner SET name = $2, complete_name = $2, email = $3, lang = $4, tz = $5, write_uid = 1,
           write_date = now() AT TIME ZONE 'UTC'
         WHERE id = (SELECT partner_id FROM res_users WHERE id = $1)`,
        [uid, profile.ownerName, identity.login, profile.lang, profile.tz],
      );
      await client.query(
        `UPDATE res_company SET name = $1, email = $2, write_uid = 1, write_date = now() AT TIME ZONE 'UTC' WHERE id = 1`,
        [profile.company, profile.companyEmail],
      );
      await client.query(
        `UPDATE res_partner SET name = $1, complete_name = $1, email = $2, write_uid = 1, write_date = now() AT TIME ZONE 'UTC'
         WHERE id = (SELECT partner_id FROM res_company WHERE id = 1)`,
        [profile.company, profile.companyEmail],
      );
    }
    const params: Record<string, string> = {};
    if (identity.baseUrl) Object.assign(params, { "web.base.url": identity.baseUrl, "web.base.url.freeze": "True" });
    if (identity.newDatabaseIdentity) {
      // What Odoo's own duplicate_database does: two databases must never share a secret (it
      // signs their sessions) or a uuid (it identifies them to Odoo's services).
      Object.assign(params, {
        "database.uuid": randomUUID(),
        "database.secret": randomUUID(),
        "database.create_date": odooDatetime(new Date()),
      });
    }
    if (Object.keys(params).length > 0) await setParams(client, params);
    await signalCacheChange(client);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Points Odoo's `web.base.url` at the instance's address, frozen so Odoo does not rewrite it. */
export async function writeBaseUrl(client: pg.ClientBase, baseUrl: string): Promise<void> {
  await setParams(client, { "web.base.url": baseUrl, "web.base.url.freeze": "True" });
  await signalCacheChange(client);
}

/** The admin user's stored password (hash or deprecated plaintext), or null. */
export async function readAdminPassword(client: pg.ClientBase): Promise<string | null> {
  const uid = await adminUserId(client);
  const { rows } = await client.query<{ password: string | null }>("SELECT password FROM res_users WHERE id = $1", [uid]);
  return rows[0]?.password ?? null;
}

/** Replaces only the admin user's password; every other user of the customer stays as it is. */
export async function writeAdminPassword(client: pg.ClientBase, passwordHash: string): Promise<void> {
  const uid = await adminUserId(client);
  const result = await client.query(
    "UPDATE res_users SET password = $2, write_uid = 1, write_date = now() AT TIME ZONE 'UTC' WHERE id = $1",
    [uid, passwordHash],
  );
  if (result.rowCount !== 1) throw new Error("the database has no Odoo administrator user (base.user_admin)");
  await signalCacheChange(client);
}
