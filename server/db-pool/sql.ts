import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/**
 * Pure SQL builders for the pool's DDL. PostgreSQL accepts no bind parameters in CREATE ROLE,
 * CREATE DATABASE, GRANT or PASSWORD clauses, so every identifier and literal that reaches those
 * statements goes through these functions.
 */

/** PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes; we refuse them instead. */
const MAX_IDENTIFIER_BYTES = 63;

/** Double-quotes an identifier, doubling embedded quotes. Refuses what PostgreSQL would mangle. */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error("SQL identifier is empty");
  if (name.includes("\0")) throw new Error("SQL identifier contains a NUL character");
  if (Buffer.byteLength(name, "utf8") > MAX_IDENTIFIER_BYTES) {
    throw new Error(`SQL identifier is longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string literal that is safe whatever standard_conforming_strings says: quotes are doubled, and
 * when a backslash is present it is doubled too and the E'' form is used (as libpq's
 * PQescapeLiteral does). PostgreSQL strings cannot hold NUL, so it is refused.
 */
export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new Error("SQL literal contains a NUL character");
  const body = value.replaceAll("'", "''");
  return value.includes("\\") ? `E'${body.replaceAll("\\", "\\\\")}'` : `'${body}'`;
}

/** Prisma cuids (and our test ids): lower-case alphanumerics only, so names need no escaping. */
const INSTANCE_ID = /^[a-z0-9]{8,40}$/;

export type TenantNames = { dbName: string; roleName: string };

/**
 * The database and role of an instance, derived only from its id so that every retry, sweep and
 * deletion computes the same names. They share one name: a role and a database live in
 * different namespaces, and Odoo lists only the databases its role owns.
 */
export function tenantNames(instanceId: string): TenantNames {
  if (!INSTANCE_ID.test(instanceId)) {
    throw new Error("instance id must be 8 to 40 lower-case letters or digits to name its database");
  }
  const name = `odoo_${instanceId}`;
  return { dbName: name, roleName: name };
}

const SCRAM_ITERATIONS = 4096;

/**
 * A SCRAM-SHA-256 verifier in the format PostgreSQL stores in pg_authid, computed here so that
 * CREATE/ALTER ROLE ... PASSWORD never carries the plaintext: a statement can end up in the
 * server log (log_statement, or an error's STATEMENT line), a verifier cannot be replayed.
 * (psql's \password does the same through libpq.) PostgreSQL SASLprep-normalises non-ASCII
 * passwords and node-pg does not, so only ASCII is accepted; our passwords are base64url.
 */
export function scramSha256Verifier(
  password: string,
  options: { salt?: Buffer; iterations?: number } = {},
): string {
  // eslint-disable-next-line no-control-regex
  if (password.length === 0 || !/^[\x01-\x7f]+$/.test(password)) {
    throw new Error("database password must be non-empty ASCII");
  }
  const salt = options.salt ?? randomBytes(16);
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
