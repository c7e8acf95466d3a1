import { pbkdf2, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { checkPassword } from "../../auth/password-policy";

/**
 * Odoo's own password hashes (contract odoo.md and odoo-test-image.md: Odoo 17 stores passlib's
 * `pbkdf2_sha512`, 600,000 rounds, and still accepts a deprecated plaintext value), computed with
 * Node's crypto so the platform can set an Odoo user's password with SQL, never sending the
 * plain password anywhere. Format: `$pbkdf2-sha512$<rounds>$<salt>$<checksum>`, salt and
 * checksum in passlib's "adapted base64" (standard base64, "." for "+", no padding).
 */

const pbkdf2Async = promisify(pbkdf2);

export const ODOO_PBKDF2_ROUNDS = 600_000;
const SALT_BYTES = 16;
const DIGESTS = { "pbkdf2-sha512": { digest: "sha512", bytes: 64 }, "pbkdf2-sha256": { digest: "sha256", bytes: 32 } } as const;
type Scheme = keyof typeof DIGESTS;

export const ab64Encode = (bytes: Buffer): string => bytes.toString("base64").replace(/\+/g, ".").replace(/=+$/, "");
export const ab64Decode = (text: string): Buffer => Buffer.from(text.replace(/\./g, "+"), "base64");
const AB64 = /^[A-Za-z0-9./]+$/;

/** A new `$pbkdf2-sha512$...` hash of the password (async: 600,000 rounds take ~0.5 s of one core). */
export async function hashOdooPassword(password: string, options: { rounds?: number; salt?: Buffer } = {}): Promise<string> {
  const rounds = options.rounds ?? ODOO_PBKDF2_ROUNDS;
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const { digest, bytes } = DIGESTS["pbkdf2-sha512"];
  const checksum = await pbkdf2Async(password, salt, rounds, bytes, digest);
  return `$pbkdf2-sha512$${rounds}$${ab64Encode(salt)}$${ab64Encode(checksum)}`;
}

/** The parts of a passlib pbkdf2 hash, or null when the value is not one. */
export function parseOdooHash(stored: string): { scheme: Scheme; rounds: number; salt: Buffer; checksum: Buffer } | null {
  const parts = stored.split("$");
  if (parts.length !== 5 || parts[0] !== "") return null;
  const [, scheme, rounds, salt, checksum] = parts as [string, string, string, string, string];
  if (!(scheme in DIGESTS) || !/^[1-9][0-9]{0,9}$/.test(rounds) || !AB64.test(salt) || !AB64.test(checksum)) return null;
  const decoded = ab64Decode(checksum);
  if (decoded.length !== DIGESTS[scheme as Scheme].bytes) return null;
  return { scheme: scheme as Scheme, rounds: Number(rounds), salt: ab64Decode(salt), checksum: decoded };
}

/**
 * Whether Odoo would accept this password for the stored value: a passlib pbkdf2 hash, or (as
 * Odoo 17 still does) a plaintext value equal to it. Null or empty never matches.
 */
export async function odooPasswordMatches(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const parsed = stored.startsWith("$") ? parseOdooHash(stored) : null;
  if (!parsed) {
    if (stored.startsWith("$")) return false; // a hash scheme we do not know: never a plaintext match
    const a = Buffer.from(stored);
    const b = Buffer.from(password);
    return a.length === b.length && timingSafeEqual(a, b);
  }
  const { digest, bytes } = DIGESTS[parsed.scheme];
  const actual = await pbkdf2Async(password, parsed.salt, parsed.rounds, bytes, digest);
  return timingSafeEqual(actual, parsed.checksum);
}

/**
 * A password for a person to read and type: four groups of four letters and digits without the
 * look-alikes (0/O, 1/l/I), joined by hyphens, drawn until it meets the password policy.
 */
export function generateOdooPassword(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  for (;;) {
    const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join(""));
    const password = groups.join("-");
    if (checkPassword(password).every((rule) => rule.ok)) return password;
  }
}
