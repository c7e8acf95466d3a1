import { randomBytes } from "node:crypto";
import pg from "pg";
import { containerEngine } from "@/server/runtime";
import { db } from "@/server/db";
import { withManager } from "@/server/db-pool/manager";
import { tenantNames } from "@/server/db-pool/sql";
import { containerRuntime } from "@/server/runtime";
import { odooContainerName, odooInitContainerName, odooVolumeName } from "@/server/domain/instances/odoo-container-spec";

export const uniqueSubdomain = (prefix = "t") => `${prefix}${randomBytes(5).toString("hex")}`;

/** Polls until `check` returns a truthy value or the time is up (then returns the last value). */
export async function eventually<T>(check: () => Promise<T>, withinMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + withinMs;
  let value = await check();
  while (!value && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = await check();
  }
  return value;
}

export const statusOf = async (id: string) =>
  (await db.instance.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;

/** The pool manager role from the environment, as the platform's own db-pool code connects. */
export function asPoolManager<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  return withManager(
    {
      host: process.env.POOL_DB_HOST!,
      port: Number(process.env.POOL_DB_PORT ?? 5432),
      managerUser: process.env.POOL_DB_MANAGER_USER!,
      managerPassword: process.env.POOL_DB_MANAGER_PASSWORD!,
    },
    fn,
  );
}

/** Connects to the pool server as a tenant role and runs a query; rejects with PostgreSQL's error otherwise. */
export async function connectAs(user: string, password: string, database: string): Promise<void> {
  const client = new pg.Client({
    host: process.env.POOL_DB_HOST,
    port: Number(process.env.POOL_DB_PORT ?? 5432),
    user,
    password,
    database,
    connectionTimeoutMillis: 5_000,
  });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every trace an instance can leave: containers, its volume, its role and its database. */
export async function footprint(instanceId: string) {
  const { dbName, roleName } = tenantNames(instanceId);
  const { roles, databases } = await asPoolManager(async (manager) => ({
    roles: await manager.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [roleName]),
    databases: await manager.query("SELECT count(*)::int AS n FROM pg_database WHERE datname = $1", [dbName]),
  }));
  const containers = (await containerRuntime().listManagedContainers()).filter((c) => c.instanceId === instanceId);
  const volume = await containerEngine()
    .getVolume(odooVolumeName(instanceId))
    .inspect()
    .then(
      () => 1,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return 0;
        throw error;
      },
    );
  return {
    containers: containers.length,
    running: containers.filter((c) => c.running).length,
    volumes: volume,
    roles: roles.rows[0].n as number,
    databases: databases.rows[0].n as number,
  };
}

export { odooContainerName };

/** Whether the one-shot database-initialisation container of the instance still exists. */
export async function initContainerLeft(instanceId: string): Promise<boolean> {
  return containerEngine()
    .getContainer(odooInitContainerName(instanceId))
    .inspect()
    .then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return false;
        throw error;
      },
    );
}

/** The arguments the instance's serving container runs Odoo with (Docker's "Args"). */
export async function servingArgs(instanceId: string): Promise<string[]> {
  return (await containerEngine().getContainer(odooContainerName(instanceId)).inspect()).Args;
}
