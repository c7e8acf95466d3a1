// PostgreSQL connections for the wasm schema engine: adapter-pg on pools we build from a config
// object, with our own shadow database handling and the "char" (OID 18) workaround.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import pg from "pg";
import type { TPgConnection } from "./database-url.ts";

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** Shadow databases are created next to the target database under this prefix. */
export const SHADOW_DB_PREFIX = "prisma_migrate_shadow_db_";

/** Double-quotes a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function clientConfig(c: TPgConnection, database = c.database): pg.ClientConfig {
  return {
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password,
    database,
    ssl: c.ssl,
    options: c.schema === undefined ? undefined : `-c search_path=${c.schema}`,
    application_name: "saas-migrate",
    connectionTimeoutMillis: 10_000,
  };
}

/**
 * The schema describer selects PostgreSQL's internal `"char"` columns (pg_class.relkind and the
 * like), which adapter-pg refuses to map. Its values arrive as strings anyway, so we report
 * those fields as text. Only the migration script's pools use this client.
 */
class CharAsTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const original = this.query.bind(this) as (...args: unknown[]) => unknown;
    const query = (...args: unknown[]): unknown => {
      const last = args.at(-1);
      if (typeof last === "function") {
        const callback = last as (err: unknown, res: unknown) => void;
        return original(...args.slice(0, -1), (err: unknown, res: unknown) =>
          callback(err, err ? res : charFieldsAsText(res)),
        );
      }
      const ret = original(...args);
      return ret instanceof Promise ? ret.then(charFieldsAsText) : ret;
    };
    Object.assign(this, { query });
  }
}

function charFieldsAsText(result: unknown): unknown {
  if (Array.isArray(result)) return result.map(charFieldsAsText);
  const fields = (result as { fields?: unknown } | null | undefined)?.fields;
  if (Array.isArray(fields)) {
    for (const field of fields as { dataTypeID?: number }[]) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/** Runs one statement on a short-lived plain client (no pool, no adapter). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  c: TPgConnection,
  sql: string,
  params: unknown[] = [],
  database = c.database,
): Promise<R[]> {
  const client = new pg.Client(clientConfig(c, database));
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Adapter factory handed to the schema engine. Every pool exits on idle (the engine keeps no
 * connection we need after a command) and is tracked so `close()` can end what is left.
 */
export class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName = "@prisma/adapter-pg";
  private readonly pools = new Set<pg.Pool>();
  private readonly shadowDbs = new Set<string>();

  constructor(private readonly connection: TPgConnection) {}

  connect(): Promise<SqlDriverAdapter> {
    return this.adapterFor(this.connection.database);
  }

  /**
   * PrismaPg's own version drops the shadow database while its pool is still connected (and,
   * given a URL, replays migrations on the main database). Ours: create it with a plain client,
   * and on dispose end the pool first, then drop it WITH (FORCE).
   */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = `${SHADOW_DB_PREFIX}${randomUUID().replaceAll("-", "")}`;
    await adminQuery(this.connection, `CREATE DATABASE ${quoteIdent(name)}`);
    this.shadowDbs.add(name);
    const adapter = await this.adapterFor(name);
    const disposePool = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await disposePool();
      await this.dropShadowDb(name);
    };
    return adapter;
  }

  /** Ends every pool still open and drops shadow databases the engine did not dispose of. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pools].map((pool) => pool.end()));
    this.pools.clear();
    await Promise.allSettled([...this.shadowDbs].map((name) => this.dropShadowDb(name)));
  }

  private async dropShadowDb(name: string): Promise<void> {
    await adminQuery(this.connection, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    this.shadowDbs.delete(name);
  }

  private async adapterFor(database: string): Promise<SqlDriverAdapter> {
    const pool = new pg.Pool({
      ...clientConfig(this.connection, database),
      Client: CharAsTextClient,
      max: 2,
      allowExitOnIdle: true,
      idleTimeoutMillis: 10_000,
    });
    this.pools.add(pool);
    const adapter = await new PrismaPg(pool, {
      schema: this.connection.schema,
      disposeExternalPool: true,
    }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      this.pools.delete(pool);
      await dispose();
    };
    return adapter;
  }
}
