import type pg from "pg";
import { db } from "../db";
import { logger } from "../logger";
import { accessFor, describeFailure, lockTenant, MAINTENANCE_DB, unlockTenant, withManager, type DbServerAccess } from "./manager";
import { quoteIdent } from "./sql";

const log = logger.child({ component: "db-pool" });

/**
 * Tenant roles log in to a pool server shared with every other database on it. PostgreSQL grants
 * CONNECT and TEMPORARY on a new database to PUBLIC (every role), so unless a database takes them
 * back, any tenant may connect to it, create temporary tables there and use whatever PUBLIC may
 * use inside. Tenant, spare and restore databases are closed when they are created (manager.ts);
 * this check finds the others — the platform's own database when it shares the server,
 * template1, anything an operator created — closes those the manager role may close (the
 * databases of roles it is a member of), and gives the SQL a superuser must run for the rest.
 *
 * Database postgres is the exception: Odoo connects to it with the tenant role (its entrypoint's
 * wait-for-psql.py, then the server's start-up check that its database exists), so PUBLIC keeps
 * CONNECT there; TEMPORARY and CREATE on its schema public are what must be closed. Every catalog
 * a tenant reads there (pg_database, pg_roles) is shared and readable from its own database too.
 */

export type TIsolationIssue =
  /** PUBLIC may connect: every tenant can log in to this database. */
  | "OPEN_TO_PUBLIC"
  /** postgres: PUBLIC may create temporary tables. */
  | "TEMP_FOR_PUBLIC"
  /** postgres: PUBLIC may create objects in schema public (clusters first created before PostgreSQL 15). */
  | "SCHEMA_CREATE_FOR_PUBLIC"
  /** postgres: PUBLIC may not connect, so Odoo cannot start with a tenant role. */
  | "CLOSED_TO_TENANTS";

export type TIsolationFinding = {
  database: string;
  owner: string;
  issue: TIsolationIssue;
  /** The manager role may change it (it is a member of the owner). */
  fixable: boolean;
  /** Changed by this check (verified afterwards). */
  fixed: boolean;
  /** What closes it; roles connected now that hold no grant of their own get one first. */
  sql: string[];
};

export type TIsolationReport =
  | {
      ok: true;
      findings: TIsolationFinding[];
      /** The SQL of every finding still open, for a superuser connected to database postgres. */
      operatorSql: string[];
    }
  | { ok: false; error: string };

export type TCheckServerIsolationOptions = { fix: boolean };

type DatabaseRow = {
  name: string;
  owner: string;
  publicConnect: boolean;
  publicTemp: boolean;
  managerOwns: boolean;
  sessionRoles: string[];
};

/**
 * Every database anyone may connect to (template0 refuses connections), with what PUBLIC may do
 * and the roles connected now that would lose access with PUBLIC's CONNECT: not superusers, not
 * holders of the owner's rights, not the manager's own tenant and spare roles.
 */
const DATABASES_SQL = `
  SELECT d.datname AS name,
         pg_get_userbyid(d.datdba) AS owner,
         has_database_privilege('public', d.oid, 'CONNECT') AS "publicConnect",
         has_database_privilege('public', d.oid, 'TEMPORARY') AS "publicTemp",
         pg_has_role(current_user, d.datdba, 'USAGE') AS "managerOwns",
         ARRAY(
           SELECT DISTINCT r.rolname::text
             FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
            WHERE a.datid = d.oid AND NOT r.rolsuper
              AND NOT pg_has_role(r.oid, d.datdba, 'USAGE')
              AND NOT pg_has_role(current_user, r.oid, 'MEMBER')
            ORDER BY 1) AS "sessionRoles"
    FROM pg_database d
   WHERE d.datallowconn
   ORDER BY d.datname`;

/** Schema public of the database the manager is connected to (postgres), if PUBLIC may create in it. */
const PUBLIC_SCHEMA_SQL = `
  SELECT pg_get_userbyid(n.nspowner) AS owner, pg_has_role(current_user, n.nspowner, 'USAGE') AS "managerOwns"
    FROM pg_namespace n
   WHERE n.nspname = 'public' AND has_schema_privilege('public', n.oid, 'CREATE')`;

function closeSql(row: DatabaseRow): string[] {
  const database = quoteIdent(row.name);
  return [
    ...row.sessionRoles.map((role) => `GRANT CONNECT ON DATABASE ${database} TO ${quoteIdent(role)};`),
    `REVOKE CONNECT, TEMPORARY ON DATABASE ${database} FROM PUBLIC;`,
  ];
}

function findingsFor(rows: DatabaseRow[], publicSchema: { owner: string; managerOwns: boolean } | undefined): TIsolationFinding[] {
  const findings: TIsolationFinding[] = [];
  const add = (row: Pick<DatabaseRow, "name" | "owner" | "managerOwns">, issue: TIsolationIssue, sql: string[]) =>
    findings.push({ database: row.name, owner: row.owner, issue, fixable: row.managerOwns, fixed: false, sql });
  for (const row of rows) {
    if (row.name !== MAINTENANCE_DB) {
      if (row.publicConnect) add(row, "OPEN_TO_PUBLIC", closeSql(row));
      continue;
    }
    const maintenance = quoteIdent(MAINTENANCE_DB);
    if (!row.publicConnect) add(row, "CLOSED_TO_TENANTS", [`GRANT CONNECT ON DATABASE ${maintenance} TO PUBLIC;`]);
    if (row.publicTemp) add(row, "TEMP_FOR_PUBLIC", [`REVOKE TEMPORARY ON DATABASE ${maintenance} FROM PUBLIC;`]);
  }
  if (publicSchema) {
    add({ name: MAINTENANCE_DB, ...publicSchema }, "SCHEMA_CREATE_FOR_PUBLIC", ["REVOKE CREATE ON SCHEMA public FROM PUBLIC;"]);
  }
  return findings;
}

/** Whether the finding is still true on the server (a database dropped meanwhile is not exposed). */
async function stillOpen(client: pg.ClientBase, finding: TIsolationFinding): Promise<boolean> {
  if (finding.issue === "SCHEMA_CREATE_FOR_PUBLIC") {
    return ((await client.query(PUBLIC_SCHEMA_SQL)).rowCount ?? 0) > 0;
  }
  const { rows } = await client.query<{ connect: boolean; temp: boolean }>(
    `SELECT has_database_privilege('public', oid, 'CONNECT') AS connect, has_database_privilege('public', oid, 'TEMPORARY') AS temp
       FROM pg_database WHERE datname = $1`,
    [finding.database],
  );
  const row = rows[0];
  if (!row) return false;
  if (finding.issue === "OPEN_TO_PUBLIC") return row.connect;
  if (finding.issue === "TEMP_FOR_PUBLIC") return row.temp;
  return !row.connect;
}

/**
 * Runs a finding's SQL under the same per-name lock as tenant provisioning, so that it never
 * races the GRANTs of a database being created ("tuple concurrently updated").
 */
async function fixFinding(client: pg.ClientBase, finding: TIsolationFinding): Promise<boolean> {
  await lockTenant(client, finding.database);
  try {
    for (const statement of finding.sql) await client.query(statement);
  } catch (error) {
    log.warn({ err: error, database: finding.database, issue: finding.issue }, "could not close a database on the pool server");
  } finally {
    await unlockTenant(client, finding.database);
  }
  return !(await stillOpen(client, finding));
}

/**
 * Lists what on the server is open to every role (tenants included) and, with fix, closes what
 * the manager role may close. Read-only without fix. A failed connection is reported, never
 * thrown, and never carries the password.
 */
export async function checkServerIsolation(access: DbServerAccess, { fix }: TCheckServerIsolationOptions): Promise<TIsolationReport> {
  try {
    return await withManager(access, async (client) => {
      const { rows } = await client.query<DatabaseRow>(DATABASES_SQL);
      const schema = await client.query<{ owner: string; managerOwns: boolean }>(PUBLIC_SCHEMA_SQL);
      const findings = findingsFor(rows, schema.rows[0]);
      if (fix) {
        for (const finding of findings) {
          if (finding.fixable) finding.fixed = await fixFinding(client, finding);
        }
      }
      return { ok: true as const, findings, operatorSql: findings.filter((f) => !f.fixed).flatMap((f) => f.sql) };
    });
  } catch (error) {
    return { ok: false, error: describeFailure(error, access.managerPassword) };
  }
}

/**
 * For worker boot: checks every ACTIVE pool server, closes what the manager may close and warns,
 * naming them, about the databases still open to every role. Never throws: boot goes on.
 */
export async function checkActiveServersIsolation(): Promise<void> {
  try {
    const servers = await db.dbServer.findMany({ where: { status: "ACTIVE" }, orderBy: { name: "asc" } });
    for (const server of servers) {
      const report = await checkServerIsolation(accessFor(server), { fix: true });
      if (!report.ok) {
        log.warn({ dbServer: server.name, error: report.error }, "could not check which databases tenants may reach on a pool server");
        continue;
      }
      const fixed = report.findings.filter((f) => f.fixed).map((f) => `${f.database}: ${f.issue}`);
      const open = report.findings.filter((f) => !f.fixed).map((f) => `${f.database}: ${f.issue}`);
      if (fixed.length > 0) log.info({ dbServer: server.name, fixed }, "closed databases that were open to every role on a pool server");
      if (open.length > 0) {
        log.warn(
          { dbServer: server.name, open, sql: report.operatorSql },
          "databases on a pool server are open to every role, tenants included: run the sql as a superuser, connected to database postgres",
        );
      }
    }
  } catch (error) {
    log.warn({ err: error }, "could not check the pool servers' isolation");
  }
}
