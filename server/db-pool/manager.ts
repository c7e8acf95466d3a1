import { createHash } from "node:crypto";
import pg from "pg";
import { decryptSecret } from "../crypto/secrets";
import { AppError } from "../errors";
import type { DbServer } from "../generated/prisma/client";
import { logger } from "../logger";
import { quoteIdent, quoteLiteral, scramSha256Verifier, type TenantNames } from "./sql";

/**
 * Tenant databases on a pool server, driven through the server's manager role (LOGIN CREATEDB
 * CREATEROLE, never a superuser). Every operation is idempotent and safe to re-run after a crash
 * at any point: it inspects the catalogs, does what is missing, and treats "already exists"
 * from a concurrent run as success.
 *
 * PostgreSQL 15 rules this code relies on (CREATEROLE without superuser):
 * - CREATE ROLE may say NOSUPERUSER, but ALTER ROLE may not even mention SUPERUSER, REPLICATION
 *   or BYPASSRLS ("must be superuser to alter superuser roles or change superuser attribute"),
 *   so an existing role is re-checked through pg_roles instead of re-asserted.
 * - CREATE DATABASE ... OWNER r needs the manager to be a member of r, and the creator of a
 *   role gets no membership by itself: hence GRANT r TO CURRENT_USER. Membership (inherited)
 *   also makes the manager count as the owner for REVOKE/GRANT and DROP DATABASE.
 */

export type DbServerAccess = { host: string; port: number; managerUser: string; managerPassword: string };

export type TEnsureTenantDatabaseInput = TenantNames & {
  password: string;
  /** A spare database claimed for this tenant: renamed into place instead of created. */
  spareName?: string;
};

const log = logger.child({ component: "db-pool" });

const CONNECT_TIMEOUT_MS = 5_000;
/** DROP DATABASE WITH (FORCE) and CREATE DATABASE copy or remove files: allow them time. */
const STATEMENT_TIMEOUT_MS = 60_000;
/**
 * The database every role can reach: the manager works from it, and Odoo connects to it with the
 * tenant role (its entrypoint's wait-for-psql.py, and the server's own check that its database
 * exists at start-up), so it stays open to PUBLIC, without TEMP (see check-server-isolation.ts).
 */
export const MAINTENANCE_DB = "postgres";

const PG_DUPLICATE_OBJECT = "42710";
const PG_DUPLICATE_DATABASE = "42P04";
const PG_UNIQUE_VIOLATION = "23505";
const PG_UNDEFINED_OBJECT = "42704";

/** Connection details of a pool server; the manager password is decrypted only here. */
export function accessFor(
  server: Pick<DbServer, "host" | "port" | "managerUser" | "managerPasswordEnc">,
): DbServerAccess {
  return {
    host: server.host,
    port: server.port,
    managerUser: server.managerUser,
    managerPassword: decryptSecret(server.managerPasswordEnc),
  };
}

/**
 * Manager connections per pool server and process. An operation holds one for a few round
 * trips (a spare adoption: five), so five serve ten provisionings at once with little waiting,
 * while the pool server's connection slots stay for the tenants.
 */
const MANAGER_POOL_SIZE = 5;
/** An idle manager connection is closed after this long (a quiet platform holds none). */
const MANAGER_IDLE_MS = 5_000;

const managerPools = new Map<string, pg.Pool>();

/**
 * One small connection pool per pool server and manager credentials. A fresh connection costs
 * a backend start and a SCRAM exchange (30 ms alone, 50-80 ms when ten provisionings connect
 * at once), paid on every provisioning's critical path; a pooled one costs nothing. Keyed by a
 * hash of the password too, so a rotated password gets a new pool. Idle connections do not
 * keep a process alive.
 */
function managerPool(access: DbServerAccess): pg.Pool {
  const key = [access.host, access.port, access.managerUser, createHash("sha256").update(access.managerPassword).digest("hex")].join("|");
  let pool = managerPools.get(key);
  if (!pool) {
    pool = new pg.Pool({
      host: access.host,
      port: access.port,
      user: access.managerUser,
      password: access.managerPassword,
      database: MAINTENANCE_DB,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      application_name: "odoo-saas-db-pool",
      max: MANAGER_POOL_SIZE,
      idleTimeoutMillis: MANAGER_IDLE_MS,
      allowExitOnIdle: true,
    });
    // Without a listener, an idle connection dropped by the server would crash the process.
    pool.on("error", (error: Error & { code?: string }) => {
      log.warn({ host: access.host, code: error.code }, "pool manager connection failed");
    });
    managerPools.set(key, pool);
  }
  return pool;
}

/**
 * Runs fn on a manager connection to database postgres, from the server's small pool. Session
 * state never outlives fn: its advisory locks (lockTenant) are released before the connection
 * goes back, and a connection that cannot confirm that is closed instead of reused.
 */
export async function withManager<T>(access: DbServerAccess, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = await managerPool(access).connect();
  let broken: Error | undefined;
  // pg-pool drops its own error listener while a client is checked out: without this one, a
  // connection the server ends meanwhile (restart, pg_terminate_backend) would crash the process.
  const onError = (error: Error & { code?: string }) => {
    broken = error;
    log.warn({ host: access.host, code: error.code }, "pool manager connection failed");
  };
  client.on("error", onError);
  try {
    return await fn(client);
  } finally {
    try {
      if (!broken) await client.query("SELECT pg_advisory_unlock_all()");
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
    }
    client.removeListener("error", onError);
    client.release(broken ?? false);
  }
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Runs a DDL statement, treating the listed "already there" errors as success. Returns whether it ran. */
async function runUnlessDuplicate(client: pg.ClientBase, sql: string, duplicateCodes: string[]): Promise<boolean> {
  try {
    await client.query(sql);
    return true;
  } catch (error) {
    if (duplicateCodes.includes(pgCode(error) ?? "")) return false;
    throw error;
  }
}

/**
 * Serialises ensure/drop of one tenant across workers (session lock, released when the
 * connection ends). Concurrent GRANTs on the same database row would otherwise fail with
 * "tuple concurrently updated"; the duplicate-error handling stays for actors outside the lock.
 */
export async function lockTenant(client: pg.ClientBase, name: string): Promise<void> {
  await client.query("SELECT pg_advisory_lock(hashtext('odoo-saas:db-pool'), hashtext($1))", [name]);
}

/** Releases lockTenant before the connection ends, for callers that lock several names in turn. */
export async function unlockTenant(client: pg.ClientBase, name: string): Promise<void> {
  await client.query("SELECT pg_advisory_unlock(hashtext('odoo-saas:db-pool'), hashtext($1))", [name]);
}

type RoleRow = { rolsuper: boolean; rolreplication: boolean; rolbypassrls: boolean; rolcreatedb: boolean; rolcreaterole: boolean };

async function findRole(client: pg.ClientBase, roleName: string): Promise<RoleRow | undefined> {
  const { rows } = await client.query<RoleRow>(
    "SELECT rolsuper, rolreplication, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1",
    [roleName],
  );
  return rows[0];
}

/** Creates the tenant's login role, or sets the given password on the existing one. */
async function ensureRole(client: pg.ClientBase, roleName: string, password: string): Promise<boolean> {
  // A SCRAM verifier instead of the plaintext keeps the password out of any server log.
  const passwordSql = quoteLiteral(scramSha256Verifier(password));
  const role = quoteIdent(roleName);
  let created = false;
  if (!(await findRole(client, roleName))) {
    created = await runUnlessDuplicate(
      client,
      `CREATE ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${passwordSql}`,
      [PG_DUPLICATE_OBJECT, PG_UNIQUE_VIOLATION],
    );
  }
  if (!created) {
    await client.query(`ALTER ROLE ${role} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${passwordSql}`);
  }
  const attributes = await findRole(client, roleName);
  if (!attributes) throw new Error(`role ${roleName} vanished while it was being set up`);
  // A pre-existing role with powers we would hand to a customer container: refuse, never use it.
  if (attributes.rolsuper || attributes.rolreplication || attributes.rolbypassrls) {
    throw new AppError("CONFLICT", `Role ${roleName} exists with superuser, replication or bypassrls: refusing to use it.`);
  }
  return created;
}

/** PG15: the manager must be a member of a role to create a database owned by it (and to drop it). */
async function ensureManagerMembership(client: pg.ClientBase, roleName: string): Promise<void> {
  const { rows } = await client.query<{ member: boolean }>(
    "SELECT pg_has_role(current_user, $1, 'MEMBER') AS member",
    [roleName],
  );
  if (rows[0]?.member) return;
  await runUnlessDuplicate(client, `GRANT ${quoteIdent(roleName)} TO CURRENT_USER`, [PG_UNIQUE_VIOLATION]);
}

async function databaseOwner(client: pg.ClientBase, dbName: string): Promise<string | undefined> {
  const { rows } = await client.query<{ owner: string }>(
    "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1",
    [dbName],
  );
  return rows[0]?.owner;
}

/**
 * Creates the database owned by the tenant role. Like Odoo's own database creation: UTF8 from
 * template0 with C collation, so an admin's additions to template1 do not leak into tenants.
 * CREATE DATABASE cannot run in a transaction, so a concurrent creator surfaces as 42P04 (or a
 * unique violation on pg_database) and counts as success.
 */
async function ensureDatabase(client: pg.ClientBase, dbName: string, roleName: string): Promise<boolean> {
  let created = false;
  let owner = await databaseOwner(client, dbName);
  if (owner === undefined) {
    created = await runUnlessDuplicate(
      client,
      `CREATE DATABASE ${quoteIdent(dbName)} WITH OWNER ${quoteIdent(roleName)} ENCODING 'UTF8' LC_COLLATE 'C' TEMPLATE template0`,
      [PG_DUPLICATE_DATABASE, PG_UNIQUE_VIOLATION],
    );
    owner = await databaseOwner(client, dbName);
  }
  if (owner !== roleName) {
    throw new AppError("CONFLICT", `Database ${dbName} exists but is not owned by role ${roleName}: refusing to use it.`);
  }
  return created;
}

/** Only the tenant role may connect: other tenants' roles share the server. */
async function restrictConnect(client: pg.ClientBase, dbName: string, roleName: string): Promise<void> {
  await client.query(`REVOKE CONNECT ON DATABASE ${quoteIdent(dbName)} FROM PUBLIC`);
  await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(dbName)} TO ${quoteIdent(roleName)}`);
}

/**
 * Odoo's entrypoint waits for the server by connecting to database postgres with the tenant
 * role; without CONNECT there the container exits. The manager cannot grant it (it does not own
 * postgres), so a server that revoked it from PUBLIC is reported instead of half-provisioned.
 */
async function assertCanConnectToMaintenanceDb(client: pg.ClientBase, roleName: string): Promise<void> {
  const { rows } = await client.query<{ allowed: boolean }>(
    "SELECT has_database_privilege($1, $2, 'CONNECT') AS allowed",
    [roleName, MAINTENANCE_DB],
  );
  if (!rows[0]?.allowed) {
    throw new AppError(
      "UNAVAILABLE",
      `Role ${roleName} cannot connect to database ${MAINTENANCE_DB}, which Odoo needs at start-up: grant CONNECT on it to PUBLIC on this server.`,
    );
  }
}

/** What became of a claimed spare: renamed into the tenant, or left untouched (still whole). */
export type SpareOutcome = "adopted" | "unused" | "none";

/**
 * Renames a spare's role and database to the tenant's names. Role first: the database keeps its
 * owner by oid, so a crash between the two renames leaves a database owned by the tenant role,
 * which the next run recognises and renames. A spare is only taken whole into a tenant that has
 * nothing yet; a tenant half-created without one keeps being created the ordinary way.
 */
async function adoptSpare(client: pg.ClientBase, spareName: string, { dbName, roleName }: TenantNames): Promise<SpareOutcome> {
  await lockTenant(client, spareName);
  const spareRole = await findRole(client, spareName);
  const spareDbOwner = await databaseOwner(client, spareName);
  if (spareRole && spareDbOwner === spareName) {
    const tenantHasSomething = (await findRole(client, roleName)) || (await databaseOwner(client, dbName)) !== undefined;
    if (tenantHasSomething) return "unused";
    await client.query(`ALTER ROLE ${quoteIdent(spareName)} RENAME TO ${quoteIdent(roleName)}`);
  }
  if ((await databaseOwner(client, spareName)) === roleName && (await databaseOwner(client, dbName)) === undefined) {
    await client.query(`ALTER DATABASE ${quoteIdent(spareName)} RENAME TO ${quoteIdent(dbName)}`);
  }
  return "adopted";
}

/**
 * The common case of provisioning, in five round trips instead of twenty: a whole spare (its
 * role owning its database) and a tenant with nothing yet. Both renames, the password and the
 * CONNECT rules go in one statement list, which PostgreSQL runs as one transaction (one
 * commit, all or nothing), then one query checks the result. Anything else — a half-adopted
 * spare after a crash, a tenant that already has something, a check that fails — returns null
 * and is left to the step-by-step path, which repairs every case and reports errors.
 * Both advisory locks are held (tenant first, then spare, as on the step-by-step path).
 */
async function adoptWholeSpare(
  client: pg.ClientBase,
  spareName: string,
  { dbName, roleName }: TenantNames,
  password: string,
): Promise<{ createdRole: boolean; createdDatabase: boolean; spare: SpareOutcome } | null> {
  await lockTenant(client, spareName);
  const { rows } = await client.query<{ spareWhole: boolean; tenantHasSomething: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
              AND (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) = $1 AS "spareWhole",
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2)
              OR EXISTS (SELECT 1 FROM pg_database WHERE datname = $3) AS "tenantHasSomething"`,
    [spareName, roleName, dbName],
  );
  if (!rows[0]?.spareWhole || rows[0].tenantHasSomething) return null;
  const role = quoteIdent(roleName);
  const database = quoteIdent(dbName);
  // No parameters: the simple protocol, so the statements run as one implicit transaction.
  await client.query(
    [
      `ALTER ROLE ${quoteIdent(spareName)} RENAME TO ${role}`,
      `ALTER DATABASE ${quoteIdent(spareName)} RENAME TO ${database}`,
      `ALTER ROLE ${role} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${quoteLiteral(scramSha256Verifier(password))}`,
      `REVOKE CONNECT ON DATABASE ${database} FROM PUBLIC`,
      `GRANT CONNECT ON DATABASE ${database} TO ${role}`,
    ].join(";\n"),
  );
  const check = await client.query<{ ok: boolean }>(
    `SELECT r.rolcanlogin AND NOT (r.rolsuper OR r.rolreplication OR r.rolbypassrls OR r.rolcreatedb OR r.rolcreaterole)
              AND (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $2) = r.rolname
              AND pg_has_role(current_user, r.rolname, 'MEMBER')
              AND has_database_privilege(r.rolname, $3, 'CONNECT') AS ok
       FROM pg_roles r WHERE r.rolname = $1`,
    [roleName, dbName, MAINTENANCE_DB],
  );
  if (!check.rows[0]?.ok) return null;
  return { createdRole: false, createdDatabase: false, spare: "adopted" };
}

/**
 * Creates (or repairs) the tenant's role and database, adopting the given spare when there is
 * one. Safe to re-run at any point.
 */
export async function ensureTenantDatabase(
  access: DbServerAccess,
  { dbName, roleName, password, spareName }: TEnsureTenantDatabaseInput,
): Promise<{ createdRole: boolean; createdDatabase: boolean; spare: SpareOutcome }> {
  return withManager(access, async (client) => {
    await lockTenant(client, dbName);
    const adopted = spareName ? await adoptWholeSpare(client, spareName, { dbName, roleName }, password) : null;
    if (adopted) {
      log.info({ host: access.host, dbName, roleName, ...adopted }, "tenant database ensured");
      return adopted;
    }
    const spare = spareName ? await adoptSpare(client, spareName, { dbName, roleName }) : "none";
    const createdRole = await ensureRole(client, roleName, password);
    await ensureManagerMembership(client, roleName);
    const createdDatabase = await ensureDatabase(client, dbName, roleName);
    await restrictConnect(client, dbName, roleName);
    await assertCanConnectToMaintenanceDb(client, roleName);
    log.info({ host: access.host, dbName, roleName, createdRole, createdDatabase, spare }, "tenant database ensured");
    return { createdRole, createdDatabase, spare };
  });
}

/**
 * Creates a spare: a role that cannot log in and an empty database it owns, closed to every
 * other role — a tenant database in all but name and password. Safe to re-run.
 */
export async function createSpareDatabase(access: DbServerAccess, name: string): Promise<void> {
  await withManager(access, async (client) => {
    await lockTenant(client, name);
    if (!(await findRole(client, name))) {
      await runUnlessDuplicate(
        client,
        `CREATE ROLE ${quoteIdent(name)} WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
        [PG_DUPLICATE_OBJECT, PG_UNIQUE_VIOLATION],
      );
    }
    await ensureManagerMembership(client, name);
    await ensureDatabase(client, name, name);
    await restrictConnect(client, name, name);
  });
}

/**
 * An extra empty database owned by an existing tenant role, closed like the tenant's own (the
 * target of a restore in place, swapped in once it holds the backup). Safe to re-run.
 */
export async function createOwnedDatabase(access: DbServerAccess, { dbName, roleName }: TenantNames): Promise<void> {
  await withManager(access, async (client) => {
    await lockTenant(client, dbName);
    await ensureManagerMembership(client, roleName);
    await ensureDatabase(client, dbName, roleName);
    await restrictConnect(client, dbName, roleName);
  });
}

/** Which of the named databases exist on the server. */
export async function existingDatabases(access: DbServerAccess, names: string[]): Promise<Set<string>> {
  return withManager(access, async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname = ANY($1::text[])", [names]);
    return new Set(rows.map((row) => row.datname));
  });
}

/**
 * Renames a tenant database (both names belong to one tenant). Sessions still connected to it
 * are ended first: PostgreSQL refuses to rename a database in use.
 */
export async function renameDatabase(access: DbServerAccess, from: string, to: string): Promise<void> {
  await withManager(access, async (client) => {
    await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [from]);
    await client.query(`ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`);
  });
}

/** Drops one database (not its role), ending its sessions; absent is fine. */
export async function dropDatabase(access: DbServerAccess, dbName: string): Promise<void> {
  await withManager(access, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`));
}

/** Names of the roles and databases on the server that start with the prefix (spares). */
export async function listNamesWithPrefix(access: DbServerAccess, prefix: string): Promise<string[]> {
  return withManager(access, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT rolname AS name FROM pg_roles WHERE starts_with(rolname, $1)
       UNION SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [prefix],
    );
    return rows.map((row) => row.name);
  });
}

/**
 * Drops the tenant's database and role. WITH (FORCE) terminates the sessions still connected
 * (the manager may signal them as a member of the role). DROP OWNED clears what the role still
 * holds in database postgres and its grants on shared objects, which would block DROP ROLE.
 */
export async function dropTenantDatabase(access: DbServerAccess, { dbName, roleName }: TenantNames): Promise<void> {
  await withManager(access, async (client) => {
    await lockTenant(client, dbName);
    const roleExists = (await findRole(client, roleName)) !== undefined;
    // Membership makes the manager count as the owner; a crash may have left it ungranted.
    if (roleExists) await ensureManagerMembership(client, roleName);
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    if (roleExists) {
      await runUnlessDuplicate(client, `DROP OWNED BY ${quoteIdent(roleName)}`, [PG_UNDEFINED_OBJECT]);
      await client.query(`DROP ROLE IF EXISTS ${quoteIdent(roleName)}`);
    }
    log.info({ host: access.host, dbName, roleName }, "tenant database dropped");
  });
}

/** What exists on the server for a tenant (for the reconciler and tests). */
export async function tenantDatabaseState(
  access: DbServerAccess,
  { dbName, roleName }: TenantNames,
): Promise<{ roleExists: boolean; databaseExists: boolean }> {
  return withManager(access, async (client) => {
    const { rows } = await client.query<{ roleExists: boolean; databaseExists: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "roleExists",
              EXISTS (SELECT 1 FROM pg_database WHERE datname = $2) AS "databaseExists"`,
      [roleName, dbName],
    );
    return rows[0] ?? { roleExists: false, databaseExists: false };
  });
}

export type ManagerRoleReport =
  | { ok: true; serverVersion: string; superuser: boolean; createDb: boolean; createRole: boolean }
  | { ok: false; error: string };

/** A short reason for a failed connection that never carries the password. */
export function describeFailure(error: unknown, password: string): string {
  const code = pgCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const text = code && !message.includes(code) ? `${message} (${code})` : message;
  return (password ? text.replaceAll(password, "[redacted]") : text).slice(0, 300);
}

/** Connects as the manager and reports its attributes; admins refuse superuser managers with it. */
export async function inspectManagerRole(access: DbServerAccess): Promise<ManagerRoleReport> {
  try {
    return await withManager(access, async (client) => {
      const { rows } = await client.query<{ version: string; rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
        `SELECT current_setting('server_version') AS version, rolsuper, rolcreatedb, rolcreaterole
           FROM pg_roles WHERE rolname = current_user`,
      );
      const row = rows[0];
      if (!row) return { ok: false, error: "the manager role is not visible in pg_roles" };
      return {
        ok: true,
        serverVersion: row.version,
        superuser: row.rolsuper,
        createDb: row.rolcreatedb,
        createRole: row.rolcreaterole,
      };
    });
  } catch (error) {
    return { ok: false, error: describeFailure(error, access.managerPassword) };
  }
}
