/**
 * Paynow message hash (docs: generating_hash.md, validating_hash.md): SHA-512 over the values of
 * every field except `hash`, in message order, followed by the integration key; upper-case hex.
 * Outbound values are hashed raw (not URL-encoded); inbound values are URL-decoded first.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Ordered [key, value] pairs of a Paynow message, values decoded. */
export type PaynowPairs = [string, string][];

/** The hash of a message; a `hash` field among `pairs` (any case) is left out. */
export function paynowHash(pairs: PaynowPairs, integrationKey: string): string {
  const values = pairs.filter(([key]) => key.toLowerCase() !== "hash").map(([, value]) => value);
  return createHash("sha512")
    .update(values.join("") + integrationKey, "utf8")
    .digest("hex")
    .toUpperCase();
}

/** URL-decoded pairs of a form-encoded body, in order (`+` and `%XX` decoded). */
export function parsePaynowPairs(rawBody: string): PaynowPairs {
  return [...new URLSearchParams(rawBody)];
}

function sameHash(received: string, expected: string): boolean {
  const a = Buffer.from(received.toUpperCase(), "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies an inbound message (a reply, a poll answer or a status update) on its raw body.
 * Returns the fields with lower-cased keys, or null when the hash is missing or wrong.
 */
export function verifyPaynowMessage(rawBody: string, integrationKey: string): Record<string, string> | null {
  const pairs = parsePaynowPairs(rawBody);
  const received = pairs.find(([key]) => key.toLowerCase() === "hash")?.[1];
  if (received === undefined || received === "") return null;
  if (!sameHash(received, paynowHash(pairs, integrationKey))) return null;
  return Object.fromEntries(pairs.map(([key, value]) => [key.toLowerCase(), value]));
}
