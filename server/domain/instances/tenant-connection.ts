import { decryptSecret } from "../../crypto/secrets";
import { db } from "../../db";
import type { TenantConnection } from "../../db-pool/tenant-client";
import { AppError } from "../../errors";

/** How the platform (not the container) reaches an instance's database, as its own role. */
export async function tenantConnection(instanceId: string, database?: string): Promise<TenantConnection> {
  const instance = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { dbServer: true } });
  if (!instance.dbServer || !instance.dbName || !instance.dbUser || !instance.dbPasswordEnc) {
    throw new AppError("INVALID_STATE", "The instance has no database yet.");
  }
  return {
    host: instance.dbServer.host,
    port: instance.dbServer.port,
    database: database ?? instance.dbName,
    user: instance.dbUser,
    password: decryptSecret(instance.dbPasswordEnc),
  };
}
