import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, generatePassword } from "@/server/crypto/secrets";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import type { DbServerStatus, InstanceStatus } from "@/server/generated/prisma/client";
import { allocateDbServer } from "./allocate-db-server";
import {
  accessFor,
  dropTenantDatabase,
  ensureTenantDatabase,
  inspectManagerRole,
  tenantDatabaseState,
  withManager,
  type DbServerAccess,
} from "./manager";
import { quoteIdent, quoteLiteral, scramSha256Verifier, tenantNames, type TenantNames } from "./sql";
import { connectAs } from "@/testing/instances";

const access: DbServerAccess = {
  host: env().POOL_DB_HOST,
  port: env().POOL_DB_PORT,
  managerUser: env().POOL_DB_MANAGER_USER,
  managerPassword: env().POOL_DB_MANAGER_PASSWORD,
};

const uniqueId = () => `t${randomBytes(8).toString("hex")}`;

/** Every tenant a test names is dropped at the end, whatever state the test left it in. */
const tenants: TenantNames[] = [];
function newTenant(): TenantNames {
  const names = tenantNames(uniqueId());
  tenants.push(names);
  return names;
}

afterAll(async () => {
  for (const names of tenants) await dropTenantDatabase(access, names);
});

async function catalogCounts({ dbName, roleName }: TenantNames) {
  return withManager(access, async (client) => {
    const { rows } = await client.query<{ roles: number; databases: number }>(
      `SELECT (SELECT count(*)::int FROM pg_roles WHERE rolname = $1) AS roles,
              (SELECT count(*)::int FROM pg_database WHERE datname = $2) AS databases`,
      [roleName, dbName],
    );
    return rows[0];
  });
}

/** Runs raw DDL as the manager, to stage the half-done states a crash would leave. */
async function asManager(...statements: string[]): Promise<void> {
  await withManager(access, async (client) => {
    for (const sql of statements) await client.query(sql);
  });
}

describe("ensureTenantDatabase", () => {
  it("creates a locked-down login role and a database it owns; a second run changes nothing", async () => {
    const names = newTenant();
    const password = generatePassword();
    expect(await tenantDatabaseState(access, names)).toEqual({ roleExists: false, databaseExists: false });

    expect(await ensureTenantDatabase(access, { ...names, password })).toEqual({ createdRole: true, createdDatabase: true, spare: "none" });
    expect(await ensureTenantDatabase(access, { ...names, password })).toEqual({ createdRole: false, createdDatabase: false, spare: "none" });

    expect(await tenantDatabaseState(access, names)).toEqual({ roleExists: true, databaseExists: true });
    expect(await catalogCounts(names)).toEqual({ roles: 1, databases: 1 });
    const catalog = await withManager(access, async (client) => {
      const { rows } = await client.query(
        `SELECT r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, pg_get_userbyid(d.datdba) AS owner,
                pg_encoding_to_char(d.encoding) AS encoding, d.datacl::text[] AS acl
           FROM pg_roles r, pg_database d WHERE r.rolname = $1 AND d.datname = $2`,
        [names.roleName, names.dbName],
      );
      return rows[0];
    });
    expect(catalog).toMatchObject({ rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false, owner: names.roleName, encoding: "UTF8" });
    // No ACL entry for PUBLIC ("=...") carries CONNECT ("c").
    expect((catalog.acl as string[]).filter((entry) => entry.startsWith("=") && entry.split("/")[0]!.includes("c"))).toEqual([]);

    await connectAs(names.roleName, password, names.dbName);
    await connectAs(names.roleName, password, "postgres");
  });

  it("finishes after a crash between role and database creation, setting the new password", async () => {
    const names = newTenant();
    const oldPassword = generatePassword();
    await asManager(`CREATE ROLE ${quoteIdent(names.roleName)} LOGIN PASSWORD ${quoteLiteral(scramSha256Verifier(oldPassword))}`);

    const password = generatePassword();
    expect(await ensureTenantDatabase(access, { ...names, password })).toEqual({ createdRole: false, createdDatabase: true, spare: "none" });
    expect(await catalogCounts(names)).toEqual({ roles: 1, databases: 1 });
    await connectAs(names.roleName, password, names.dbName);
    await expect(connectAs(names.roleName, oldPassword, names.dbName)).rejects.toThrow(/password authentication failed/);
  });

  it("finishes after a crash between database creation and the CONNECT lock-down", async () => {
    const victim = newTenant();
    const other = newTenant();
    const victimPassword = generatePassword();
    const otherPassword = generatePassword();
    await ensureTenantDatabase(access, { ...other, password: otherPassword });
    const role = quoteIdent(victim.roleName);
    await asManager(
      `CREATE ROLE ${role} LOGIN PASSWORD ${quoteLiteral(scramSha256Verifier(victimPassword))}`,
      `GRANT ${role} TO CURRENT_USER`,
      `CREATE DATABASE ${quoteIdent(victim.dbName)} OWNER ${role}`,
    );
    // The crashed state really is open to every role: that is what the re-run must repair.
    await connectAs(other.roleName, otherPassword, victim.dbName);

    expect(await ensureTenantDatabase(access, { ...victim, password: victimPassword })).toEqual({ createdRole: false, createdDatabase: false, spare: "none" });
    await expect(connectAs(other.roleName, otherPassword, victim.dbName)).rejects.toThrow(/permission denied for database/);
    await connectAs(victim.roleName, victimPassword, victim.dbName);
  });

  it("two concurrent runs end with one role and one database, each created once", async () => {
    const names = newTenant();
    const password = generatePassword();
    const results = await Promise.all([
      ensureTenantDatabase(access, { ...names, password }),
      ensureTenantDatabase(access, { ...names, password }),
    ]);
    expect(results.filter((r) => r.createdRole)).toHaveLength(1);
    expect(results.filter((r) => r.createdDatabase)).toHaveLength(1);
    expect(await catalogCounts(names)).toEqual({ roles: 1, databases: 1 });
    await connectAs(names.roleName, password, names.dbName);
  });

  it("tenant A's role cannot connect to tenant B's database", async () => {
    const a = newTenant();
    const b = newTenant();
    const passwordA = generatePassword();
    const passwordB = generatePassword();
    await ensureTenantDatabase(access, { ...a, password: passwordA });
    await ensureTenantDatabase(access, { ...b, password: passwordB });

    await expect(connectAs(a.roleName, passwordA, b.dbName)).rejects.toMatchObject({
      code: "42501",
      message: `permission denied for database "${b.dbName}"`,
    });
    await expect(connectAs(b.roleName, passwordB, a.dbName)).rejects.toMatchObject({
      code: "42501",
      message: `permission denied for database "${a.dbName}"`,
    });
    await connectAs(a.roleName, passwordA, a.dbName);
    await connectAs(b.roleName, passwordB, b.dbName);
  });
});

describe("dropTenantDatabase", () => {
  it("drops database and role even with the tenant connected, and is idempotent", async () => {
    const names = newTenant();
    const password = generatePassword();
    await ensureTenantDatabase(access, { ...names, password });
    const session = new pg.Client({ host: access.host, port: access.port, user: names.roleName, password, database: names.dbName });
    session.on("error", () => undefined); // terminated by DROP ... WITH (FORCE), as intended
    await session.connect();
    try {
      await dropTenantDatabase(access, names);
    } finally {
      await session.end().catch(() => undefined);
    }
    expect(await tenantDatabaseState(access, names)).toEqual({ roleExists: false, databaseExists: false });
    expect(await catalogCounts(names)).toEqual({ roles: 0, databases: 0 });
    await dropTenantDatabase(access, names);
    expect(await catalogCounts(names)).toEqual({ roles: 0, databases: 0 });
  });

  it("cleans up a half-created tenant (role only)", async () => {
    const names = newTenant();
    await asManager(`CREATE ROLE ${quoteIdent(names.roleName)} LOGIN`);
    await dropTenantDatabase(access, names);
    expect(await catalogCounts(names)).toEqual({ roles: 0, databases: 0 });
  });
});

describe("inspectManagerRole", () => {
  it("reports the configured manager: not a superuser, with CREATEDB and CREATEROLE", async () => {
    const report = await inspectManagerRole(access);
    expect(report).toMatchObject({ ok: true, superuser: false, createDb: true, createRole: true });
    expect(report.ok && report.serverVersion).toMatch(/^\d+(\.\d+)?/);
  });

  it("fails cleanly with a wrong password, without echoing it", async () => {
    const wrong = `wrong-${randomBytes(12).toString("hex")}`;
    const report = await inspectManagerRole({ ...access, managerPassword: wrong });
    expect(report.ok).toBe(false);
    const error = report.ok ? "" : report.error;
    expect(error).toMatch(/password authentication failed|28P01/);
    expect(error).not.toContain(wrong);
  });

  it("decrypts the stored manager password through accessFor", async () => {
    const stored = accessFor({ host: access.host, port: access.port, managerUser: access.managerUser, managerPasswordEnc: encryptSecret(access.managerPassword) });
    expect(stored).toEqual(access);
    expect(await inspectManagerRole(stored)).toMatchObject({ ok: true });
  });
});

describe("allocateDbServer", () => {
  let ownerId: string;
  let planId: string;
  const serverIds: string[] = [];

  beforeAll(async () => {
    const suffix = randomBytes(6).toString("hex");
    ownerId = (await db.user.create({ data: { email: `db-pool-${suffix}@test.example`, name: "DB pool test", passwordHash: "unused" } })).id;
    planId = (await db.plan.create({
      data: { id: `test-db-pool-${suffix}`, displayName: "Test", cpu: 1, memoryMb: 512, storageGb: 1, maxInstances: 100, allowedSeries: ["17.0"] },
    })).id;
  });

  afterEach(async () => {
    await db.instance.deleteMany({ where: { ownerId } });
    await db.dbServer.deleteMany({ where: { id: { in: serverIds.splice(0) } } });
  });

  afterAll(async () => {
    await db.instance.deleteMany({ where: { ownerId } });
    await db.plan.delete({ where: { id: planId } });
    await db.user.delete({ where: { id: ownerId } });
  });

  /**
   * Test servers carry the real pool's connection details, so that if another suite allocates
   * onto one while it exists, its instance still gets a working server.
   */
  async function createServer(maxInstances: number, status: DbServerStatus = "ACTIVE") {
    const server = await db.dbServer.create({
      data: {
        name: `test-${randomBytes(6).toString("hex")}`,
        host: access.host,
        containerHost: env().POOL_DB_CONTAINER_HOST,
        port: access.port,
        managerUser: access.managerUser,
        managerPasswordEnc: encryptSecret(access.managerPassword),
        maxInstances,
        status,
      },
    });
    serverIds.push(server.id);
    return server;
  }

  async function createInstance(dbServerId: string | null = null, status: InstanceStatus = "PROVISIONING") {
    return db.instance.create({
      data: { ownerId, planId, name: "db-pool test", odooVersion: "17.0", adminEmail: "a@test.example", cpuLimit: 1, memoryMb: 512, storageGb: 1, dbServerId, status },
    });
  }

  async function fill(serverId: string, live: number, deleted = 0) {
    for (let i = 0; i < live; i++) await createInstance(serverId);
    for (let i = 0; i < deleted; i++) await createInstance(serverId, "DELETED");
  }

  it("picks the least-loaded server (DELETED instances do not count) and records the tenant names", async () => {
    const busy = await createServer(10);
    const light = await createServer(10);
    await fill(busy.id, 2);
    await fill(light.id, 1, 3);
    const instance = await createInstance();

    const server = await allocateDbServer(instance.id, { serverIds: [busy.id, light.id] });
    expect(server.id).toBe(light.id);
    const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row).toMatchObject({ dbServerId: light.id, ...(({ dbName, roleName }) => ({ dbName, dbUser: roleName }))(tenantNames(instance.id)) });
  });

  it("is idempotent: a placed instance keeps its server, even one no longer ACTIVE", async () => {
    const original = await createServer(10, "DISABLED");
    const other = await createServer(10);
    const instance = await createInstance(original.id);
    expect((await allocateDbServer(instance.id, { serverIds: [other.id] })).id).toBe(original.id);

    const fresh = await createInstance();
    const results = await Promise.all(Array.from({ length: 5 }, () => allocateDbServer(fresh.id, { serverIds: [other.id] })));
    expect(new Set(results.map((s) => s.id))).toEqual(new Set([other.id]));
    expect(await db.instance.count({ where: { dbServerId: other.id } })).toBe(1);
  });

  it("skips a server at capacity even when it is the least loaded", async () => {
    const full = await createServer(1);
    const roomy = await createServer(5);
    await fill(full.id, 1);
    await fill(roomy.id, 3);
    const instance = await createInstance();
    expect((await allocateDbServer(instance.id, { serverIds: [full.id, roomy.id] })).id).toBe(roomy.id);
  });

  it("skips DRAINING and DISABLED servers", async () => {
    const draining = await createServer(10, "DRAINING");
    const disabled = await createServer(10, "DISABLED");
    const active = await createServer(10);
    await fill(active.id, 5);
    const ids = [draining.id, disabled.id, active.id];
    expect((await allocateDbServer((await createInstance()).id, { serverIds: ids })).id).toBe(active.id);

    const stranded = await createInstance();
    await expect(allocateDbServer(stranded.id, { serverIds: [draining.id, disabled.id] })).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("fails with a clear message when no server has room, leaving the instance unplaced", async () => {
    const full = await createServer(1);
    await fill(full.id, 1);
    const instance = await createInstance();
    const attempt = allocateDbServer(instance.id, { serverIds: [full.id] });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: "No database server has free capacity: add a server or raise a server's capacity.",
    });
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).dbServerId).toBeNull();
  });

  it("never over-fills under concurrency: 10 allocations on capacity 3 give exactly 3 placements", async () => {
    for (let round = 0; round < 3; round++) {
      const server = await createServer(3);
      const instances = await Promise.all(Array.from({ length: 10 }, () => createInstance()));
      const results = await Promise.allSettled(instances.map((i) => allocateDbServer(i.id, { serverIds: [server.id] })));

      const placed = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(placed).toHaveLength(3);
      expect(refused).toHaveLength(7);
      for (const { reason } of refused) expect(reason).toMatchObject({ name: "AppError", code: "UNAVAILABLE" });
      expect(await db.instance.count({ where: { dbServerId: server.id } })).toBe(3);
    }
  });
});
