import { psqlRestore } from "../../archive/pg-tools";
import { readOdooArchive, tarPacker, tarTopOwner } from "../../archive/odoo-archive";
import { withTenantClient, type TenantConnection } from "../../db-pool/tenant-client";
import { RestoreRefused } from "../../errors";
import { containerRuntime } from "../../runtime";
import { ODOO_DATA_DIR } from "../instances/odoo-container-spec";

/** Loaders shared by both kinds of restore and the weekly restore test: dump, filestore, identity. */

/** dump.sql into the (empty) database, in one transaction: all of it or nothing. */
export async function loadDump(archive: string, tenant: TenantConnection): Promise<void> {
  let loaded = false;
  await readOdooArchive(archive, async (entry, open) => {
    if (entry.name !== "dump.sql") return;
    await psqlRestore(tenant, await open());
    loaded = true;
  });
  if (!loaded) throw new RestoreRefused("The archive holds no dump.sql.");
}

/**
 * The archive's filestore/ into `<data_dir>/filestore/<dbName>/` of the container's volume,
 * through the engine's archive upload (works for stopped containers and remote engines), owned
 * like the data directory. Existing files stay: the filestore is content-addressed, so a file
 * of the same name has the same content, and files the database no longer names are unused.
 */
export async function loadFilestore(archive: string, container: string, dbName: string): Promise<void> {
  const runtime = containerRuntime();
  const dataDir = await runtime.readArchive(container, ODOO_DATA_DIR);
  const owner = (dataDir && (await tarTopOwner(dataDir))) ?? { uid: 0, gid: 0 };
  const packer = tarPacker(owner);
  const upload = runtime.writeArchive(container, ODOO_DATA_DIR, packer.stream);
  try {
    packer.addDirectory(`filestore/${dbName}`);
    await readOdooArchive(archive, async (entry, open) => {
      if (!entry.name.startsWith("filestore/") || entry.name.endsWith("/")) return;
      const relative = entry.name.slice("filestore/".length);
      if (relative.split("/").some((part) => part === ".." || part === "")) return;
      await packer.add(`filestore/${dbName}/${relative}`, entry.size, await open());
    });
  } finally {
    packer.finish();
  }
  await upload;
}

/** A restored copy is a new database to Odoo: give it its own uuid, as Odoo's restore does. */
export async function regenerateUuid(tenant: TenantConnection): Promise<void> {
  await withTenantClient(tenant, (client) =>
    client.query("UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key = 'database.uuid'"),
  );
}

export async function databaseIsEmpty(tenant: TenantConnection): Promise<boolean> {
  return withTenantClient(tenant, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    return rows[0]!.n === 0;
  });
}
