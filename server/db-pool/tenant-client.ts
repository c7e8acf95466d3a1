import pg from "pg";

/** How the platform (not the container) reaches one tenant database, as the tenant's own role. */
export type TenantConnection = { host: string; port: number; database: string; user: string; password: string };

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
