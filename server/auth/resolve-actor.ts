import { getToken } from "next-auth/jwt";
import { env } from "../env";
import type { UserActor } from "./actor";
import { clientIp } from "./client-ip";
import { findActiveSession } from "./sessions";

/** The signed-in user behind a request's session cookie, or null (no cookie, ended or expired). */
export async function resolveActor(headers: Headers): Promise<UserActor | null> {
  const secureCookie = env().APP_URL.startsWith("https:");
  const token = await getToken({ req: { headers }, secret: env().AUTH_SECRET, secureCookie });
  if (!token || typeof token.sid !== "string") return null;
  const session = await findActiveSession(token.sid);
  if (!session) return null;
  return { kind: "user", userId: session.userId, role: session.role, sessionId: session.sessionId, ip: clientIp(headers) };
}
