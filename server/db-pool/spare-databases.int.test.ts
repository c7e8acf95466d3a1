import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encryptSecret, generatePassword } from "@/server/crypto/secrets";
import { db } from "@/server/db";
import { env } from "@/server/env";
import type { DbServer } from "@/server/generated/prisma/client";
import { createTenantDatabase } from "@/server/domain/instances/prepare-database";
import { allocateDbServer } from "./allocate-db-server";
import { accessFor, dropTenantDatabase, ensureTenantDatabase, withManager, type DbServerAccess } from "./manager";
import { claimSpareDatabase, newSpareName, refillSpareDatabases, settleSpareClaim, sparePrefix } from "./spare-databases";
import { quoteIdent, tenantNames, type TenantNames } from "./sql";
import { connectAs } from "@/testing/instances";

let server: DbServer;
let access: DbServerAccess;
let ownerId: string;
let planId: string;
const tenants: TenantNames[] = [];
let otherActive: string[] = [];

/** Oid, owner and PUBLIC CONNECT of a database, and whether its role may log in. */
async function catalog(name: string) {
  return withManager(access, async (client) => {
    const { rows } = await client.query<{ oid: number; owner: string; publicConnect: boolean; canLogin: boolean | null }>(
      `SELECT d.oid::int AS oid, pg_get_userbyid(d.datdba) AS owner,
              has_database_privilege('public', d.oid, 'CONNECT') AS "publicConnect",
              (SELECT rolcanlogin FROM pg_roles WHERE rolname = $1) AS "canLogin"
         FROM pg_database d WHERE d.datname = $1`,
      [name],
    );
    return rows[0];
  });
}

async function namesOnServer(): Promise<string[]> {
  return withManager(access, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT datname AS name FROM pg_database WHERE starts_with(datname, $1)
       UNION ALL SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)`,
      [sparePrefix()],
    );
    return rows.map((row) => row.name).sort();
  });
}

async function newInstance() {
  const instance = await db.instance.create({
    data: { ownerId, planId, name: "spare test", odooVersion: "17.0", adminEmail: "a@test.example", cpuLimit: 1, memoryMb: 512, storageGb: 1 },
  });
  tenants.push(tenantNames(instance.id));
  return instance;
}

/** Drops every spare of this platform on the server and every row, so each test starts empty. */
async function emptyPool(): Promise<void> {
  for (const name of new Set(await namesOnServer())) await dropTenantDatabase(access, { dbName: name, roleName: name });
  await db.spareDatabase.deleteMany({});
}

beforeAll(async () => {
  const suffix = randomBytes(6).toString("hex");
  ownerId = (await db.user.create({ data: { email: `spares-${suffix}@test.example`, name: "Spare test", passwordHash: "unused" } })).id;
  planId = (await db.plan.create({
    data: { id: `test-spares-${suffix}`, displayName: "Test", cpu: 1, memoryMb: 512, storageGb: 1, maxInstances: 100, allowedSeries: ["17.0"] },
  })).id;
  // Only this server is ACTIVE while the file runs, so every refill and placement lands on it.
  otherActive = (await db.dbServer.findMany({ where: { status: "ACTIVE" }, select: { id: true } })).map((row) => row.id);
  await db.dbServer.updateMany({ where: { id: { in: otherActive } }, data: { status: "DRAINING" } });
  server = await db.dbServer.create({
    data: {
      name: `spares-${suffix}`,
      host: env().POOL_DB_HOST,
      containerHost: env().POOL_DB_CONTAINER_HOST,
      port: env().POOL_DB_PORT,
      managerUser: env().POOL_DB_MANAGER_USER,
      managerPasswordEnc: encryptSecret(env().POOL_DB_MANAGER_PASSWORD),
      maxInstances: 100,
    },
  });
  access = accessFor(server);
});

beforeEach(emptyPool);

afterAll(async () => {
  await emptyPool();
  for (const names of tenants) await dropTenantDatabase(access, names);
  await db.instance.deleteMany({ where: { ownerId } });
  await db.dbServer.delete({ where: { id: server.id } });
  await db.dbServer.updateMany({ where: { id: { in: otherActive } }, data: { status: "ACTIVE" } });
  await db.plan.delete({ where: { id: planId } });
  await db.user.delete({ where: { id: ownerId } });
});

describe("refillSpareDatabases", () => {
  it("tops the server up to the target with closed, NOLOGIN spares; a second pass creates nothing", async () => {
    expect(await refillSpareDatabases({ perServer: 3 })).toEqual({ created: 3, swept: 0, failed: 0 });
    expect(await refillSpareDatabases({ perServer: 3 })).toEqual({ created: 0, swept: 0, failed: 0 });

    const rows = await db.spareDatabase.findMany({ where: { dbServerId: server.id } });
    expect(rows.map((row) => row.status)).toEqual(["READY", "READY", "READY"]);
    for (const row of rows) {
      expect(row.name.startsWith(sparePrefix())).toBe(true);
      expect(await catalog(row.name)).toMatchObject({ owner: row.name, publicConnect: false, canLogin: false });
    }
    // Each spare is one database and one role, nothing else of ours on the server.
    expect(await namesOnServer()).toEqual(rows.flatMap((row) => [row.name, row.name]).sort());
  });

  it("sweeps a spare stuck in CREATING and spares of ours that have no row", async () => {
    const stuck = await db.spareDatabase.create({
      data: { dbServerId: server.id, name: newSpareName(), createdAt: new Date(Date.now() - 11 * 60_000) },
    });
    await withManager(access, (client) => client.query(`CREATE ROLE ${quoteIdent(stuck.name)} NOLOGIN`));
    const orphan = newSpareName();
    await withManager(access, async (client) => {
      await client.query(`CREATE ROLE ${quoteIdent(orphan)} NOLOGIN`);
      await client.query(`GRANT ${quoteIdent(orphan)} TO CURRENT_USER`);
      await client.query(`CREATE DATABASE ${quoteIdent(orphan)} OWNER ${quoteIdent(orphan)}`);
    });

    const result = await refillSpareDatabases({ perServer: 1 });
    expect(result).toEqual({ created: 1, swept: 2, failed: 0 });
    const [row] = await db.spareDatabase.findMany({ where: { dbServerId: server.id } });
    expect(await namesOnServer()).toEqual([row!.name, row!.name]);
  });

  it("gives servers that are not ACTIVE no spares", async () => {
    await db.dbServer.update({ where: { id: server.id }, data: { status: "DRAINING" } });
    try {
      expect(await refillSpareDatabases({ perServer: 2 })).toEqual({ created: 0, swept: 0, failed: 0 });
    } finally {
      await db.dbServer.update({ where: { id: server.id }, data: { status: "ACTIVE" } });
    }
    expect(await namesOnServer()).toEqual([]);
  });
});

describe("provisioning with spares", () => {
  it("renames a spare into the tenant's database: same oid, login with the tenant's password, closed to others", async () => {
    await refillSpareDatabases({ perServer: 1 });
    const [spare] = await db.spareDatabase.findMany({ where: { dbServerId: server.id } });
    const spareOid = (await catalog(spare!.name))!.oid;

    const instance = await newInstance();
    await allocateDbServer(instance.id);
    const names = tenantNames(instance.id);
    const password = generatePassword();
    await createTenantDatabase({
      instanceId: instance.id,
      dbServerId: server.id,
      access,
      database: { host: server.containerHost, port: server.port, name: names.dbName, user: names.roleName, password },
    });

    expect(await catalog(names.dbName)).toEqual({ oid: spareOid, owner: names.roleName, publicConnect: false, canLogin: true });
    expect(await catalog(spare!.name)).toBeUndefined();
    expect(await db.spareDatabase.count()).toBe(0);
    await connectAs(names.roleName, password, names.dbName);
  });

  it("concurrent provisionings take different spares, and fall back to CREATE DATABASE when the pool runs dry", async () => {
    await refillSpareDatabases({ perServer: 2 });
    const spareOids = new Set<number>();
    for (const row of await db.spareDatabase.findMany()) spareOids.add((await catalog(row.name))!.oid);

    const instances = await Promise.all([newInstance(), newInstance(), newInstance()]);
    await Promise.all(
      instances.map(async (instance) => {
        await allocateDbServer(instance.id);
        const names = tenantNames(instance.id);
        await createTenantDatabase({
          instanceId: instance.id,
          dbServerId: server.id,
          access,
          database: { host: server.containerHost, port: server.port, name: names.dbName, user: names.roleName, password: generatePassword() },
        });
      }),
    );

    const oids = await Promise.all(instances.map(async (instance) => (await catalog(tenantNames(instance.id).dbName))!.oid));
    expect(new Set(oids).size).toBe(3);
    expect(oids.filter((oid) => spareOids.has(oid))).toHaveLength(2);
    expect(await namesOnServer()).toEqual([]);
  });

  it("a rerun after a crash between the role and the database renames finishes with one of each", async () => {
    await refillSpareDatabases({ perServer: 1 });
    const instance = await newInstance();
    const names = tenantNames(instance.id);
    const spareName = (await claimSpareDatabase(server.id, instance.id))!;
    // The crash: the role was renamed, the database still carries the spare's name.
    await withManager(access, (client) => client.query(`ALTER ROLE ${quoteIdent(spareName)} RENAME TO ${quoteIdent(names.roleName)}`));

    // The rerun claims the same spare, since this instance holds it.
    expect(await claimSpareDatabase(server.id, instance.id)).toBe(spareName);
    const password = generatePassword();
    const result = await ensureTenantDatabase(access, { ...names, password, spareName });
    expect(result).toEqual({ createdRole: false, createdDatabase: false, spare: "adopted" });
    await settleSpareClaim(instance.id, result.spare);

    expect(await catalog(names.dbName)).toMatchObject({ owner: names.roleName, canLogin: true, publicConnect: false });
    expect(await namesOnServer()).toEqual([]);
    expect(await db.spareDatabase.count()).toBe(0);
    await connectAs(names.roleName, password, names.dbName);
  });

  it("leaves the spare whole and back in the pool when the tenant was already half created without one", async () => {
    await refillSpareDatabases({ perServer: 1 });
    const instance = await newInstance();
    const names = tenantNames(instance.id);
    await withManager(access, (client) => client.query(`CREATE ROLE ${quoteIdent(names.roleName)} LOGIN`));

    const spareName = (await claimSpareDatabase(server.id, instance.id))!;
    const result = await ensureTenantDatabase(access, { ...names, password: generatePassword(), spareName });
    expect(result).toEqual({ createdRole: false, createdDatabase: true, spare: "unused" });
    await settleSpareClaim(instance.id, result.spare);

    expect(await db.spareDatabase.findUniqueOrThrow({ where: { name: spareName } })).toMatchObject({ claimedById: null, status: "READY" });
    expect(await catalog(spareName)).toMatchObject({ owner: spareName, canLogin: false });
  });
});
