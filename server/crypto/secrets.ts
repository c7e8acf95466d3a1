import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "../env";

/**
 * Secrets at rest (database passwords): AES-256-GCM with SECRETS_KEY. Stored as
 * "v1.<iv>.<tag>.<ciphertext>" in base64url; the version leaves room for key rotation.
 */
const VERSION = "v1";

function key(hexKey: string = env().SECRETS_KEY): Buffer {
  return Buffer.from(hexKey, "hex");
}

export function encryptSecret(plaintext: string, hexKey?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(hexKey), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

export function decryptSecret(sealed: string, hexKey?: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error("not an encrypted secret");
  const decipher = createDecipheriv("aes-256-gcm", key(hexKey), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

/** A random password for a generated database role: 48 URL-safe characters. */
export function generatePassword(): string {
  return randomBytes(36).toString("base64url");
}
