import { encryptSecret } from "../crypto/secrets";
import { db } from "../db";
import { env } from "../env";
import type { DbServer } from "../generated/prisma/client";

export const DEFAULT_DB_SERVER_NAME = "default";

/**
 * The pool server described by POOL_DB_*, for the seed. Connection details follow the env on
 * every run (the operator may rotate the manager password); capacity and status are left to
 * the admins who may have changed them since.
 */
export async function ensureDefaultDbServer(): Promise<DbServer> {
  const { POOL_DB_HOST, POOL_DB_CONTAINER_HOST, POOL_DB_PORT, POOL_DB_MANAGER_USER, POOL_DB_MANAGER_PASSWORD } = env();
  const connection = {
    host: POOL_DB_HOST,
    containerHost: POOL_DB_CONTAINER_HOST,
    port: POOL_DB_PORT,
    managerUser: POOL_DB_MANAGER_USER,
    managerPasswordEnc: encryptSecret(POOL_DB_MANAGER_PASSWORD),
  };
  return db.dbServer.upsert({
    where: { name: DEFAULT_DB_SERVER_NAME },
    create: { name: DEFAULT_DB_SERVER_NAME, ...connection },
    update: connection,
  });
}
