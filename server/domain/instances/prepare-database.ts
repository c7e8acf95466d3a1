import { decryptSecret, encryptSecret, generatePassword } from "../../crypto/secrets";
import { allocateDbServer } from "../../db-pool/allocate-db-server";
import { accessFor, ensureTenantDatabase } from "../../db-pool/manager";
import { tenantNames } from "../../db-pool/sql";
import { db } from "../../db";

export type TenantDatabase = { host: string; port: number; name: string; user: string; password: string };

/**
 * The database half of provisioning, in one place: place the instance on a pool server,
 * create its role and empty database. Odoo initialises it on first boot (`-i base`). A later
 * issue may replace the body with a clone of a prepared template database
 * (CREATE DATABASE ... TEMPLATE) without touching the callers.
 *
 * Safe to re-run after a crash at any point: the password is saved (encrypted) before the
 * role is created, and every step checks what already exists.
 */
export async function prepareTenantDatabase(instanceId: string): Promise<TenantDatabase> {
  const server = await allocateDbServer(instanceId);
  const { dbName, roleName } = tenantNames(instanceId);
  let { dbPasswordEnc } = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, select: { dbPasswordEnc: true } });
  if (!dbPasswordEnc) {
    const sealed = encryptSecret(generatePassword());
    // Only the first run sets it; a concurrent run keeps the one already stored.
    await db.instance.updateMany({ where: { id: instanceId, dbPasswordEnc: null }, data: { dbPasswordEnc: sealed } });
    ({ dbPasswordEnc } = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, select: { dbPasswordEnc: true } }));
  }
  const password = decryptSecret(dbPasswordEnc!);
  await ensureTenantDatabase(accessFor(server), { dbName, roleName, password });
  await db.instance.update({ where: { id: instanceId }, data: { dbName, dbUser: roleName } });
  return { host: server.containerHost, port: server.port, name: dbName, user: roleName, password };
}
