import { getToken } from "next-auth/jwt";
import { env } from "../env";
import type { UserActor } from "./actor";
import { clientIp } from "./client-ip";
import { findActiveSession } from "./sessions";

/**
 * Decoded session cookies. The cookie is an encrypted JWT whose payload never changes for a
 * given cookie value, and decoding it (key derivation + JWE decryption) was a tenth of the web
 * server's CPU per signed-in API request. Only the decode is remembered — the session id and
 * the token's expiry — never whether the session is live: the session row is still looked up
 * on every request, so a logout or revocation still ends the session at once. Bounded; the
 * oldest entry goes first. Cookies that do not decode are not remembered.
 */
const DECODED_MAX = 1_000;
const decoded = new Map<string, { sid: string; expiresAtMs: number }>();

async function sessionIdOf(headers: Headers): Promise<string | null> {
  // Where getToken reads the token from: the session cookie, else an Authorization header.
  const key = headers.get("cookie") ?? headers.get("authorization");
  const known = key ? decoded.get(key) : undefined;
  if (key && known) {
    if (known.expiresAtMs > Date.now()) return known.sid;
    decoded.delete(key);
  }
  const secureCookie = env().APP_URL.startsWith("https:");
  const token = await getToken({ req: { headers }, secret: env().AUTH_SECRET, secureCookie });
  if (!token || typeof token.sid !== "string") return null;
  if (key && typeof token.exp === "number") {
    if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value!);
    decoded.set(key, { sid: token.sid, expiresAtMs: token.exp * 1000 });
  }
  return token.sid;
}

/** The signed-in user behind a request's session cookie, or null (no cookie, ended or expired). */
export async function resolveActor(headers: Headers): Promise<UserActor | null> {
  const sid = await sessionIdOf(headers);
  if (!sid) return null;
  const session = await findActiveSession(sid);
  if (!session) return null;
  return { kind: "user", userId: session.userId, role: session.role, sessionId: session.sessionId, ip: clientIp(headers) };
}
