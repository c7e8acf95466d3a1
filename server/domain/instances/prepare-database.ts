import { decryptSecret, encryptSecret, generatePassword } from "../../crypto/secrets";
import { allocateDbServer } from "../../db-pool/allocate-db-server";
import { accessFor, ensureTenantDatabase, type DbServerAccess } from "../../db-pool/manager";
import { tenantNames } from "../../db-pool/sql";
import { db } from "../../db";

export type TenantDatabase = { host: string; port: number; name: string; user: string; password: string };
export type TenantPlacement = { database: TenantDatabase; access: DbServerAccess };

/**
 * Decides where and how the instance's database lives — pool server, names, password — without
 * creating anything on that server yet, so the container can be prepared at the same time.
 * The password is saved (encrypted) before anything uses it, so a rerun after a crash reuses it.
 */
export async function placeTenantDatabase(instanceId: string): Promise<TenantPlacement> {
  const server = await allocateDbServer(instanceId);
  const { dbName, roleName } = tenantNames(instanceId);
  let { dbPasswordEnc } = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, select: { dbPasswordEnc: true } });
  if (!dbPasswordEnc) {
    // Only the first run sets it; a concurrent run keeps the one already stored.
    await db.instance.updateMany({
      where: { id: instanceId, dbPasswordEnc: null },
      data: { dbPasswordEnc: encryptSecret(generatePassword()), dbName, dbUser: roleName },
    });
    ({ dbPasswordEnc } = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, select: { dbPasswordEnc: true } }));
  }
  return {
    access: accessFor(server),
    database: { host: server.containerHost, port: server.port, name: dbName, user: roleName, password: decryptSecret(dbPasswordEnc!) },
  };
}

/**
 * The database half of provisioning, in one place: the role and the empty database Odoo
 * initialises on first boot (`-i base`). A later issue may replace the body with a clone of a
 * prepared template database (CREATE DATABASE ... TEMPLATE) without touching the callers.
 * Safe to re-run: every step checks what exists.
 */
export async function createTenantDatabase({ access, database }: TenantPlacement): Promise<void> {
  await ensureTenantDatabase(access, { dbName: database.name, roleName: database.user, password: database.password });
}
