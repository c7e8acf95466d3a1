import { randomBytes } from "node:crypto";
import { db } from "../db";

/** Server-side session rows: the cookie only carries the row id, so deleting the row ends it. */
export const SESSION_IDLE_MS = 30 * 24 * 3600 * 1000;
// Extending on every request would write on every request; once an hour is precise enough.
const EXTEND_AFTER_MS = 3600 * 1000;

export async function createSession(userId: string): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  await db.session.create({ data: { id, userId, expiresAt: new Date(Date.now() + SESSION_IDLE_MS) } });
  return id;
}

export type ActiveSession = { sessionId: string; userId: string; role: "CUSTOMER" | "ADMIN" };

/** The live session for a cookie's session id, extended while in use; null when ended or idle too long. */
export async function findActiveSession(sessionId: string): Promise<ActiveSession | null> {
  // Every signed-in request runs this: one plain statement costs a third of the CPU of the
  // same lookup through the query builder (0.27 against 0.67 ms measured by bench:api).
  const [session] = await db.$queryRaw<{ userId: string; expiresAt: Date; role: ActiveSession["role"]; suspendedAt: Date | null }[]>`
    SELECT s."userId", s."expiresAt", u.role::text AS role, u."suspendedAt"
    FROM "Session" s JOIN "User" u ON u.id = s."userId"
    WHERE s.id = ${sessionId}`;
  if (!session || session.suspendedAt) return null;
  const now = Date.now();
  if (session.expiresAt.getTime() <= now) {
    await db.session.deleteMany({ where: { id: sessionId } });
    return null;
  }
  if (session.expiresAt.getTime() - now < SESSION_IDLE_MS - EXTEND_AFTER_MS) {
    await db.session.updateMany({ where: { id: sessionId }, data: { expiresAt: new Date(now + SESSION_IDLE_MS) } });
  }
  return { sessionId, userId: session.userId, role: session.role };
}

export async function deleteSession(sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}

/** Ends every session of a user, or every one but `exceptSessionId`. Returns how many ended. */
export async function deleteUserSessions(userId: string, exceptSessionId?: string): Promise<number> {
  const { count } = await db.session.deleteMany({
    where: { userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
  });
  return count;
}
