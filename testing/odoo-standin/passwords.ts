// Passwords as Odoo 17 keeps them in res_users.password: passlib's CryptContext(["pbkdf2_sha512",
// "plaintext"], deprecated=["plaintext"], pbkdf2_sha512__rounds=600_000). A value that starts with
// `$pbkdf2-sha512$` is a hash; anything else is a (deprecated) plaintext password, accepted once
// and replaced by a hash on that login.
import { pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const pbkdf2Async = promisify(pbkdf2);

/** Odoo 17's pbkdf2_sha512__rounds. */
export const ODOO_PBKDF2_ROUNDS = 600_000;

const PREFIX = "$pbkdf2-sha512$";
const AB64 = /^[A-Za-z0-9./]*$/;

/**
 * `admin` and `demo` hashed with 600,000 rounds, computed once (hashing at every init costs ~0.5 s
 * of CPU): Odoo computes them at init, so its salts differ per database, these do not.
 */
export const ADMIN_PASSWORD_HASH =
  "$pbkdf2-sha512$600000$kfJY//Ly/T6nNybfPRBg2w$5hbvjt/vbfP2Slmd/n3YV3ICMUMXHtHK4Cpy3SIelI.fL1LBTnl3sUTZIatzYZ1eouoTjnEXIftXOXouG.H8dA";
export const DEMO_PASSWORD_HASH =
  "$pbkdf2-sha512$600000$wkRlQa62pNB35j3hQPJxGg$45zny0LnawBrNxZRNSOCGOt8oSnt1GhL8xIsGDF.0Ku1mGPCda9R.hNOCbzIvc3zPQF/ybGXdoTU65Ekshcr2Q";

/** passlib's "adapted base64": standard alphabet with `.` for `+`, no padding. */
export function ab64Encode(buffer: Buffer): string {
  return buffer.toString("base64").replace(/=+$/, "").replace(/\+/g, ".");
}

export function ab64Decode(text: string): Buffer | null {
  if (!AB64.test(text) || text.length % 4 === 1) return null;
  return Buffer.from(text.replace(/\./g, "+"), "base64");
}

export interface Pbkdf2Hash {
  rounds: number;
  salt: Buffer;
  checksum: Buffer;
}

/** passlib's pbkdf2_sha512.from_string: null when the value is malformed. */
export function parsePbkdf2Sha512(stored: string): Pbkdf2Hash | null {
  if (!stored.startsWith(PREFIX)) return null;
  const parts = stored.slice(PREFIX.length).split("$");
  if (parts.length !== 3) return null;
  const [roundsText, saltText, checksumText] = parts as [string, string, string];
  // Decimal without zero padding, 1 <= rounds < 2**32.
  if (!/^[1-9][0-9]*$/.test(roundsText)) return null;
  const rounds = Number(roundsText);
  if (rounds >= 2 ** 32) return null;
  const salt = ab64Decode(saltText);
  const checksum = ab64Decode(checksumText);
  if (salt === null || checksum === null || checksum.length !== 64) return null;
  return { rounds, salt, checksum };
}

export async function hashPassword(password: string, rounds = ODOO_PBKDF2_ROUNDS): Promise<string> {
  const salt = randomBytes(16);
  const checksum = await pbkdf2Async(password, salt, rounds, 64, "sha512");
  return `${PREFIX}${rounds}$${ab64Encode(salt)}$${ab64Encode(checksum)}`;
}

export type PasswordCheck = "valid" | "valid-plaintext" | "invalid";

/**
 * CryptContext.verify_and_update: "valid-plaintext" means the stored value was a plaintext
 * password (Odoo then stores a hash in its place). An empty password is never valid.
 */
export async function checkPassword(password: string, stored: string | null): Promise<PasswordCheck> {
  if (password === "") return "invalid";
  const value = stored ?? "";
  if (value.startsWith(PREFIX)) {
    const hash = parsePbkdf2Sha512(value);
    if (hash === null) return "invalid";
    const actual = await pbkdf2Async(password, hash.salt, hash.rounds, 64, "sha512");
    return timingSafeEqual(actual, hash.checksum) ? "valid" : "invalid";
  }
  const given = Buffer.from(password, "utf8");
  const expected = Buffer.from(value, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected) ? "valid-plaintext" : "invalid";
}
