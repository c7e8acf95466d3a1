import { randomBytes } from "node:crypto";
import { hashPassword } from "@/server/auth/password";
import { createSession, findActiveSession } from "@/server/auth/sessions";
import { db } from "@/server/db";
import { logger } from "@/server/logger";
import { createCaller } from "@/server/trpc/root";

export const TEST_PASSWORD = "Test-Password-123!";

export const uniqueEmail = (label = "user") => `${label}-${Date.now()}-${randomBytes(3).toString("hex")}@test.example`;

/** A real user row with a known password. */
export async function createTestUser(role: "CUSTOMER" | "ADMIN" = "CUSTOMER", email = uniqueEmail(role.toLowerCase())) {
  return db.user.create({
    data: { email, name: `Test ${role}`, role, passwordHash: await hashPassword(TEST_PASSWORD) },
  });
}

/** A tRPC caller whose context holds the actor of a real, live session of the user. */
export async function callerFor(userId: string) {
  const session = await findActiveSession(await createSession(userId));
  if (!session) throw new Error("session was not created");
  return {
    sessionId: session.sessionId,
    caller: createCaller({
      headers: new Headers(),
      requestId: "test",
      log: logger,
      actor: { kind: "user", userId: session.userId, role: session.role, sessionId: session.sessionId },
    }),
  };
}

/** A caller with no session, like a signed-out visitor. */
export function anonymousCaller() {
  return createCaller({ headers: new Headers(), requestId: "test", log: logger, actor: null });
}
