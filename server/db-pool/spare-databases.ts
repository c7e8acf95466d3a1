import { createHash, randomBytes } from "node:crypto";
import { db } from "../db";
import { env } from "../env";
import type { DbServer } from "../generated/prisma/client";
import { logger } from "../logger";
import { accessFor, createSpareDatabase, dropTenantDatabase, listNamesWithPrefix, type SpareOutcome } from "./manager";

/**
 * The spare-database pool. CREATE DATABASE copies a template and writes it to the WAL: fast
 * alone, seconds when ten customers sign up at once. Each ACTIVE pool server therefore keeps a
 * few empty databases (with their NOLOGIN roles) ready; provisioning claims one and renames it
 * to the tenant's names, which takes milliseconds. Without a spare, provisioning creates the
 * database as before, so an empty pool only costs time.
 *
 * Lifecycle of a row: CREATING (being created on the server) -> READY -> claimed by an instance
 * -> deleted once renamed. Rows stuck in CREATING, and claims that never finished, are swept.
 */

const log = logger.child({ component: "spare-databases" });

/** A spare still CREATING after this long belongs to a run that died: drop what it made. */
const STALE_CREATING_MS = 10 * 60_000;
/** A claim not settled after this long belongs to a provisioning that gave up or died. */
const STALE_CLAIM_MS = 60 * 60_000;

/**
 * `odoo_spare_<platform>_<hex>`: never a tenant's name (those are `odoo_<instance id>`, with no
 * second underscore). <platform> is a short hash of the platform's own database name, so that
 * platforms sharing a pool server (a developer's and the test run's) each recognise their own
 * spares and never sweep the other's.
 */
export function sparePrefix(): string {
  const platformDb = new URL(env().DATABASE_URL).pathname.slice(1);
  return `odoo_spare_${createHash("sha256").update(platformDb).digest("hex").slice(0, 6)}_`;
}

export function newSpareName(): string {
  return `${sparePrefix()}${randomBytes(8).toString("hex")}`;
}

/**
 * Takes a READY spare on the server for the instance, or returns the one it already took (a
 * rerun after a crash). SKIP LOCKED lets concurrent provisionings take different spares without
 * waiting on each other. Null when the pool is empty.
 */
export async function claimSpareDatabase(dbServerId: string, instanceId: string): Promise<string | null> {
  const existing = await db.spareDatabase.findUnique({ where: { claimedById: instanceId }, select: { name: true } });
  if (existing) return existing.name;
  const rows = await db.$queryRaw<{ name: string }[]>`
    UPDATE "SpareDatabase" SET "claimedById" = ${instanceId}, "claimedAt" = now()
    WHERE id = (
      SELECT id FROM "SpareDatabase"
      WHERE "dbServerId" = ${dbServerId} AND status = 'READY' AND "claimedById" IS NULL
      ORDER BY "createdAt"
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING name`;
  return rows[0]?.name ?? null;
}

/** After ensureTenantDatabase: an adopted spare is gone; an unused one goes back to the pool. */
export async function settleSpareClaim(instanceId: string, outcome: SpareOutcome): Promise<void> {
  if (outcome === "adopted") {
    await db.spareDatabase.deleteMany({ where: { claimedById: instanceId } });
  } else if (outcome === "unused") {
    await db.spareDatabase.updateMany({ where: { claimedById: instanceId }, data: { claimedById: null, claimedAt: null } });
  }
}

export type TRefillResult = { created: number; swept: number; failed: number };

/** Drops a spare's leftovers on its server (IF EXISTS: an adopted spare has none) and its row. */
async function sweep(server: DbServer, spare: { id: string; name: string }): Promise<void> {
  await dropTenantDatabase(accessFor(server), { dbName: spare.name, roleName: spare.name });
  await db.spareDatabase.delete({ where: { id: spare.id } });
}

async function refillServer(server: DbServer, target: number, result: TRefillResult): Promise<void> {
  const now = Date.now();
  const stale = await db.spareDatabase.findMany({
    where: {
      dbServerId: server.id,
      OR: [
        { status: "CREATING", createdAt: { lt: new Date(now - STALE_CREATING_MS) } },
        { claimedAt: { lt: new Date(now - STALE_CLAIM_MS) } },
      ],
    },
    select: { id: true, name: true },
  });
  for (const spare of stale) {
    await sweep(server, spare);
    result.swept += 1;
  }
  // Spares of ours on the server with no row: the platform database was recreated (a test run)
  // or a row was deleted by hand. The server is listed before the rows are read, and a row is
  // written before its spare is created, so a spare being created is never taken for an orphan.
  const onServer = await listNamesWithPrefix(accessFor(server), sparePrefix());
  const known = new Set(
    (await db.spareDatabase.findMany({ where: { name: { in: onServer } }, select: { name: true } })).map((row) => row.name),
  );
  for (const name of onServer.filter((candidate) => !known.has(candidate))) {
    await dropTenantDatabase(accessFor(server), { dbName: name, roleName: name });
    result.swept += 1;
  }

  const available = await db.spareDatabase.count({ where: { dbServerId: server.id, claimedById: null } });
  for (let missing = target - available; missing > 0; missing -= 1) {
    // The row comes first, so a crash in the middle leaves a CREATING row to sweep, never an
    // untracked database on the server.
    const spare = await db.spareDatabase.create({ data: { dbServerId: server.id, name: newSpareName() } });
    try {
      await createSpareDatabase(accessFor(server), spare.name);
      await db.spareDatabase.update({ where: { id: spare.id }, data: { status: "READY" } });
      result.created += 1;
    } catch (error) {
      result.failed += 1;
      log.error({ err: error, dbServer: server.name, spare: spare.name }, "could not create a spare database");
      await sweep(server, spare).catch((sweepError: unknown) => {
        log.warn({ err: sweepError, spare: spare.name }, "left a CREATING spare for the next sweep");
      });
      return; // The server is in trouble: try again on the next pass rather than hammer it.
    }
  }
}

/**
 * Tops up every ACTIVE server's pool to `perServer` unclaimed spares (one at a time, so the
 * refill never competes with provisioning for more than one CREATE DATABASE), after sweeping
 * stale rows. Servers that are not ACTIVE get no new spares.
 */
export async function refillSpareDatabases(
  options: { perServer?: number; serverIds?: string[] } = {},
): Promise<TRefillResult> {
  const target = options.perServer ?? env().POOL_SPARE_DATABASES;
  const result: TRefillResult = { created: 0, swept: 0, failed: 0 };
  const servers = await db.dbServer.findMany({
    where: { status: "ACTIVE", ...(options.serverIds ? { id: { in: options.serverIds } } : {}) },
    orderBy: { id: "asc" },
  });
  for (const server of servers) {
    try {
      await refillServer(server, target, result);
    } catch (error) {
      result.failed += 1;
      log.error({ err: error, dbServer: server.name }, "spare database refill failed");
    }
  }
  if (result.created + result.swept + result.failed > 0) log.info(result, "spare databases refilled");
  return result;
}
