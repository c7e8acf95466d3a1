import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePassword } from "@/server/crypto/secrets";
import { db } from "@/server/db";
import { createTenantDatabase, placeTenantDatabase } from "@/server/domain/instances/prepare-database";
import { env } from "@/server/env";
import { callerFor, createTestUser } from "@/testing/accounts";
import { checkActiveServersIsolation, checkServerIsolation, type TIsolationReport } from "./check-server-isolation";
import { dropTenantDatabase, withManager, type DbServerAccess } from "./manager";
import { quoteIdent, quoteLiteral, scramSha256Verifier, tenantNames, type TenantNames } from "./sql";

const access: DbServerAccess = {
  host: env().POOL_DB_HOST,
  port: env().POOL_DB_PORT,
  managerUser: env().POOL_DB_MANAGER_USER,
  managerPassword: env().POOL_DB_MANAGER_PASSWORD,
};
const platformDb = new URL(env().DATABASE_URL).pathname.slice(1);
const hex = () => randomBytes(6).toString("hex");

type Login = { user: string; password: string };

/** Runs fn as the role on the pool server; rejects with PostgreSQL's error when it may not connect. */
async function asRole<T>({ user, password }: Login, database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: access.host, port: access.port, user, password, database, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const connects = (login: Login, database: string) => asRole(login, database, (client) => client.query("SELECT 1"));

const refusedConnect = (database: string) => ({ code: "42501", message: `permission denied for database "${database}"` });

const asManager = (...statements: string[]) =>
  withManager(access, async (client) => {
    for (const sql of statements) await client.query(sql);
  });

/** Everything a test creates on the server, dropped at the end whatever state it was left in. */
const leftovers: TenantNames[] = [];

let ownerId: string;
let planId: string;
const instanceIds: string[] = [];

/** A tenant made the way provisioning makes one: placement, then the role and database. */
async function provisionTenant(): Promise<Login & { dbName: string }> {
  const instance = await db.instance.create({
    data: { ownerId, planId, name: "isolation test", odooVersion: "17.0", adminEmail: "a@test.example", cpuLimit: 1, memoryMb: 512, storageGb: 1 },
  });
  instanceIds.push(instance.id);
  leftovers.push(tenantNames(instance.id));
  const placement = await placeTenantDatabase(instance.id);
  await createTenantDatabase(placement);
  return { user: placement.database.user, password: placement.database.password, dbName: placement.database.name };
}

/** A database owned by the manager itself, left as CREATE DATABASE makes it: open to PUBLIC. */
async function exposedScratchDatabase(): Promise<string> {
  const name = `saas_isolation_${hex()}`;
  leftovers.push({ dbName: name, roleName: `${name}_none` });
  await asManager(`CREATE DATABASE ${quoteIdent(name)}`);
  return name;
}

function findingsOf(report: TIsolationReport) {
  if (!report.ok) throw new Error(`check failed: ${report.error}`);
  return report.findings;
}

beforeAll(async () => {
  const suffix = hex();
  ownerId = (await db.user.create({ data: { email: `isolation-${suffix}@test.example`, name: "Isolation test", passwordHash: "unused" } })).id;
  planId = (await db.plan.create({
    data: { id: `test-isolation-${suffix}`, displayName: "Test", cpu: 1, memoryMb: 512, storageGb: 1, maxInstances: 100, allowedSeries: ["17.0"] },
  })).id;
});

afterAll(async () => {
  for (const names of leftovers) await dropTenantDatabase(access, names);
  await db.instance.deleteMany({ where: { id: { in: instanceIds } } });
  await db.plan.delete({ where: { id: planId } });
  await db.user.delete({ where: { id: ownerId } });
});

describe("a provisioned tenant role", () => {
  it("reaches its own database only: the platform's, template1 and another tenant's are refused", async () => {
    const tenant = await provisionTenant();
    const other = await provisionTenant();

    await connects(tenant, tenant.dbName);
    await expect(connects(tenant, platformDb)).rejects.toMatchObject(refusedConnect(platformDb));
    await expect(connects(tenant, "template1")).rejects.toMatchObject(refusedConnect("template1"));
    await expect(connects(tenant, other.dbName)).rejects.toMatchObject(refusedConnect(other.dbName));
    await expect(connects(other, tenant.dbName)).rejects.toMatchObject(refusedConnect(tenant.dbName));
  });

  it("may create TEMP tables in its own database (it owns it), not in postgres, where it may still connect", async () => {
    const tenant = await provisionTenant();
    const own = await asRole(tenant, tenant.dbName, async (client) => {
      await client.query("CREATE TEMP TABLE scratch (n int)");
      await client.query("INSERT INTO scratch VALUES (1)");
      return (await client.query<{ n: number }>("SELECT n FROM scratch")).rows;
    });
    expect(own).toEqual([{ n: 1 }]);

    // Odoo connects to postgres with the tenant role at start-up: CONNECT stays, nothing else.
    await connects(tenant, "postgres");
    await expect(asRole(tenant, "postgres", (client) => client.query("CREATE TEMP TABLE scratch (n int)"))).rejects.toMatchObject({
      code: "42501",
      message: 'permission denied to create temporary tables in database "postgres"',
    });
    await expect(asRole(tenant, "postgres", (client) => client.query("CREATE TABLE public.scratch (n int)"))).rejects.toMatchObject({
      code: "42501",
      message: "permission denied for schema public",
    });
  });

  it("leaves the manager able to create databases from template1 and template0", async () => {
    for (const template of ["template1", "template0"]) {
      const name = `saas_isolation_${hex()}`;
      leftovers.push({ dbName: name, roleName: `${name}_none` });
      await asManager(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${template}`, `DROP DATABASE ${quoteIdent(name)}`);
    }
  });
});

describe("checkServerIsolation", () => {
  it("finds nothing open on the platform database, template1 or postgres once setup has run", async () => {
    const findings = findingsOf(await checkServerIsolation(access, { fix: false }));
    const about = (database: string) => findings.filter((finding) => finding.database === database).map((finding) => finding.issue);
    expect(about(platformDb)).toEqual([]);
    expect(about("template1")).toEqual([]);
    expect(about("postgres")).toEqual([]);
  });

  it("reports a deliberately exposed scratch database, changes nothing without fix, and closes it with fix", async () => {
    const tenant = await provisionTenant();
    const scratch = await exposedScratchDatabase();
    await connects(tenant, scratch); // really open: the state the check must find

    const looked = findingsOf(await checkServerIsolation(access, { fix: false })).filter((f) => f.database === scratch);
    expect(looked).toEqual([
      {
        database: scratch,
        owner: access.managerUser,
        issue: "OPEN_TO_PUBLIC",
        fixable: true,
        fixed: false,
        sql: [`REVOKE CONNECT, TEMPORARY ON DATABASE ${quoteIdent(scratch)} FROM PUBLIC;`],
      },
    ]);
    await connects(tenant, scratch);

    const report = await checkServerIsolation(access, { fix: true });
    expect(findingsOf(report).filter((f) => f.database === scratch)).toMatchObject([{ issue: "OPEN_TO_PUBLIC", fixed: true }]);
    expect(report.ok && report.operatorSql.some((sql) => sql.includes(quoteIdent(scratch)))).toBe(false);
    await expect(connects(tenant, scratch)).rejects.toMatchObject(refusedConnect(scratch));
    expect(findingsOf(await checkServerIsolation(access, { fix: false })).filter((f) => f.database === scratch)).toEqual([]);
  });

  it("gives a superuser's SQL for a database the manager may not change, keeping the roles connected to it", async () => {
    const tenant = await provisionTenant();
    const owner: Login = { user: `saas_isolation_owner_${hex()}`, password: generatePassword() };
    const user: Login = { user: `saas_isolation_user_${hex()}`, password: generatePassword() };
    const foreign = `saas_isolation_${hex()}`;
    leftovers.push({ dbName: foreign, roleName: owner.user }, { dbName: `${user.user}_none`, roleName: user.user });
    const ownerRole = quoteIdent(owner.user);
    await asManager(
      `CREATE ROLE ${ownerRole} LOGIN PASSWORD ${quoteLiteral(scramSha256Verifier(owner.password))}`,
      `CREATE ROLE ${quoteIdent(user.user)} LOGIN PASSWORD ${quoteLiteral(scramSha256Verifier(user.password))}`,
      `GRANT ${ownerRole} TO CURRENT_USER`,
      `CREATE DATABASE ${quoteIdent(foreign)} OWNER ${ownerRole}`,
      // Another application's database, then: the manager is no member of its owner.
      `REVOKE ${ownerRole} FROM CURRENT_USER`,
    );

    // A role that uses the database through PUBLIC's CONNECT, connected while the check runs.
    const report = await asRole(user, foreign, () => checkServerIsolation(access, { fix: true }));
    const expected = [
      `GRANT CONNECT ON DATABASE ${quoteIdent(foreign)} TO ${quoteIdent(user.user)};`,
      `REVOKE CONNECT, TEMPORARY ON DATABASE ${quoteIdent(foreign)} FROM PUBLIC;`,
    ];
    expect(findingsOf(report).filter((f) => f.database === foreign)).toEqual([
      { database: foreign, owner: owner.user, issue: "OPEN_TO_PUBLIC", fixable: false, fixed: false, sql: expected },
    ]);
    expect(report.ok && report.operatorSql.filter((sql) => sql.includes(quoteIdent(foreign)))).toEqual(expected);
    await connects(tenant, foreign); // still open: the manager could not close it

    // The SQL does what it says, run by a role allowed to (the owner; an operator uses a superuser).
    await asRole(owner, "postgres", async (client) => {
      for (const sql of expected) await client.query(sql);
    });
    await expect(connects(tenant, foreign)).rejects.toMatchObject(refusedConnect(foreign));
    await connects(user, foreign);
    await connects(owner, foreign);
    expect(findingsOf(await checkServerIsolation(access, { fix: false })).filter((f) => f.database === foreign)).toEqual([]);
  });

  it("reports a failed connection without the password", async () => {
    const wrong = `wrong-${hex()}`;
    const report = await checkServerIsolation({ ...access, managerPassword: wrong }, { fix: true });
    expect(report.ok).toBe(false);
    expect(report.ok ? "" : report.error).toMatch(/password authentication failed/);
    expect(JSON.stringify(report)).not.toContain(wrong);
  });
});

describe("checkActiveServersIsolation (worker boot)", () => {
  it("closes an exposed database on an ACTIVE server", async () => {
    const tenant = await provisionTenant();
    const scratch = await exposedScratchDatabase();
    await connects(tenant, scratch);
    await checkActiveServersIsolation();
    await expect(connects(tenant, scratch)).rejects.toMatchObject(refusedConnect(scratch));
  });
});

describe("admin: adding a database server", () => {
  it("answers with the isolation check: what it closed and what a superuser must run", async () => {
    const admin = await callerFor((await createTestUser("ADMIN")).id);
    const scratch = await exposedScratchDatabase();
    const server = await admin.caller.admin.dbServers.add({
      name: `isolation-${hex()}`,
      host: access.host,
      containerHost: env().POOL_DB_CONTAINER_HOST,
      port: access.port,
      managerUser: access.managerUser,
      managerPassword: access.managerPassword,
      maxInstances: 1,
    });
    try {
      expect(findingsOf(server.isolation).filter((f) => f.database === scratch)).toMatchObject([{ issue: "OPEN_TO_PUBLIC", fixed: true }]);
      expect(JSON.stringify(server)).not.toContain(access.managerPassword);
      const again = await admin.caller.admin.dbServers.isolation({ id: server.id });
      expect(findingsOf(again).filter((f) => f.database === scratch)).toEqual([]);
      await expect(admin.caller.admin.dbServers.isolation({ id: "missing-server" })).rejects.toMatchObject({ code: "NOT_FOUND" });
      const audit = await db.auditLog.findFirst({ where: { action: "db-server.add", targetId: server.id } });
      expect(audit?.details).toMatchObject({ closed: expect.arrayContaining([`${scratch}: OPEN_TO_PUBLIC`]) });
    } finally {
      await db.dbServer.delete({ where: { id: server.id } });
    }
  });
});
