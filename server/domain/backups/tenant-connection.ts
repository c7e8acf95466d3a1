import pg from "pg";
import { decryptSecret } from "../../crypto/secrets";
import { db } from "../../db";
import { AppError } from "../../errors";
import type { TenantConnection } from "./odoo-archive";

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

/** Runs fn on a short-lived connection as the tenant role, always closed afterwards. */
export async function withTenantClient<T>(tenant: TenantConnection, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...tenant, connectionTimeoutMillis: 10_000 });
  // Without a listener, a connection dropped by the server would crash the process.
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
