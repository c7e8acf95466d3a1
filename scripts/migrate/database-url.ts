// Parses DATABASE_URL into a pg connection config object. The schema engine must get a config
// object, never a URL: with a URL the adapter's shadow pool ignores its database override.
import type { ConnectionOptions } from "node:tls";

export class MigrateError extends Error {
  override name = "MigrateError";
}

export type TPgConnection = {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** PostgreSQL schema (`?schema=` like Prisma URLs); undefined means the server default. */
  schema: string | undefined;
  ssl: boolean | ConnectionOptions | undefined;
};

const EXAMPLE = "postgresql://USER:PASSWORD@HOST:5432/DATABASE";

export function parseDatabaseUrl(raw: string | undefined, varName = "DATABASE_URL"): TPgConnection {
  if (raw === undefined || raw.trim() === "") {
    throw new MigrateError(`${varName} is not set: put it in .env or the environment (${EXAMPLE})`);
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // Never echo the value: it holds the password.
    throw new MigrateError(`${varName} is not a valid URL; expected ${EXAMPLE}`);
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new MigrateError(
      `${varName} must start with postgresql:// (got "${url.protocol}//"); expected ${EXAMPLE}`,
    );
  }
  const database = decodePart(url.pathname.replace(/^\//, ""), varName, "database name");
  if (database === "" || database.includes("/")) {
    throw new MigrateError(`${varName} has no database name in its path; expected ${EXAMPLE}`);
  }
  const host = url.searchParams.get("host") ?? url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new MigrateError(`${varName} has no host; expected ${EXAMPLE}`);
  const port = url.port === "" ? 5432 : Number(url.port);
  const user = decodePart(url.username, varName, "user name");
  if (user === "") throw new MigrateError(`${varName} has no user name; expected ${EXAMPLE}`);

  const schema = url.searchParams.get("schema") ?? undefined;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new MigrateError(`${varName} has an unsupported schema name (letters, digits, _)`);
  }

  return {
    host,
    port,
    user,
    password: decodePart(url.password, varName, "password"),
    database,
    schema,
    ssl: sslFromMode(url.searchParams.get("sslmode"), varName),
  };
}

function decodePart(value: string, varName: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new MigrateError(`${varName} has a badly percent-encoded ${what}`);
  }
}

function sslFromMode(mode: string | null, varName: string): TPgConnection["ssl"] {
  switch (mode) {
    case null:
    case "disable":
    case "prefer": // pg has no "try TLS, fall back"; libpq's default behaves like plain here
      return undefined;
    case "require":
    case "no-verify":
      return { rejectUnauthorized: false };
    case "verify-ca":
    case "verify-full":
      return true;
    default:
      throw new MigrateError(`${varName} has an unsupported sslmode "${mode}"`);
  }
}

/** A printable description of the target: never includes the password. */
export function describeConnection(c: TPgConnection): string {
  return `${c.user}@${c.host}:${c.port}/${c.database}${c.schema ? ` (schema ${c.schema})` : ""}`;
}

/** Removes the password from any text (error messages from drivers, engine output). */
export function redactPassword(
  text: string,
  c: Pick<TPgConnection, "password"> | undefined,
): string {
  if (!c || c.password === "") return text;
  const forms = new Set([c.password, encodeURIComponent(c.password)]);
  let out = text;
  for (const form of forms) out = out.split(form).join("***");
  return out;
}
