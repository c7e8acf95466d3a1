import { decryptSecret, encryptSecret, generatePassword } from "../../crypto/secrets";
import { allocateDbServer } from "../../db-pool/allocate-db-server";
import { accessFor, ensureTenantDatabase, type DbServerAccess } from "../../db-pool/manager";
import { claimSpareDatabase, settleSpareClaim } from "../../db-pool/spare-databases";
import { tenantNames } from "../../db-pool/sql";
import { db } from "../../db";
import { env } from "../../env";
import { logger } from "../../logger";
import { enqueueSpareRefill } from "../../queue/queues";

export type TenantDatabase = { host: string; port: number; name: string; user: string; password: string };
export type TenantPlacement = { instanceId: string; dbServerId: string; database: TenantDatabase; access: DbServerAccess };

/**
 * Decides where and how the instance's database lives — pool server, names, password — without
 * creating anything on that server yet, so the container can be prepared at the same time.
 * The password is saved (encrypted) before anything uses it, so a rerun after a crash reuses it.
 */
export async function placeTenantDatabase(instanceId: string): Promise<TenantPlacement> {
  const server = await allocateDbServer(instanceId);
  const { dbName, roleName } = tenantNames(instanceId);
  // One statement: only the first run sets the password, a rerun or a concurrent run gets the
  // one already stored (the row lock of the UPDATE orders them).
  const [row] = await db.$queryRaw<{ dbPasswordEnc: string }[]>`
    UPDATE "Instance"
    SET "dbPasswordEnc" = COALESCE("dbPasswordEnc", ${encryptSecret(generatePassword())}),
        "updatedAt" = CASE WHEN "dbPasswordEnc" IS NULL THEN now() ELSE "updatedAt" END
    WHERE id = ${instanceId}
    RETURNING "dbPasswordEnc"`;
  if (!row) throw new Error(`instance ${instanceId} vanished while its database was being placed`);
  const { dbPasswordEnc } = row;
  return {
    instanceId,
    dbServerId: server.id,
    access: accessFor(server),
    database: { host: server.containerHost, port: server.port, name: dbName, user: roleName, password: decryptSecret(dbPasswordEnc) },
  };
}

/**
 * The database half of provisioning, in one place: the role and the empty database Odoo
 * initialises on first boot (`-i base`). A spare database from the pool is renamed into place
 * when there is one (milliseconds); otherwise it is created (seconds under load). A later issue
 * may clone a prepared template database here instead, without touching the callers.
 * Safe to re-run: a rerun takes the same spare, and every step checks what exists.
 */
export async function createTenantDatabase({ instanceId, dbServerId, access, database }: TenantPlacement): Promise<void> {
  const spareName = await claimSpareDatabase(dbServerId, instanceId);
  const { spare } = await ensureTenantDatabase(access, {
    dbName: database.name,
    roleName: database.user,
    password: database.password,
    spareName: spareName ?? undefined,
  });
  await settleSpareClaim(instanceId, spare);
  if (env().POOL_SPARE_DATABASES === 0) return;
  // Top the pool up for the next customer, without holding up this one (three Redis round
  // trips before the container could start); a queue outage must not fail this provisioning.
  void enqueueSpareRefill().catch((error: unknown) => {
    logger.warn({ err: error, instanceId }, "could not schedule a spare database refill");
  });
}
