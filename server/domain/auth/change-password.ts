import type { UserActor } from "../../auth/actor";
import { clearAttempts, takeAttempt, tooManyAttempts, type AttemptRule } from "../../auth/attempt-limit";
import { hashPassword, verifyPassword } from "../../auth/password";
import { deleteUserSessions } from "../../auth/sessions";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import { ZChangePasswordInput } from "./schemas";

/**
 * A stolen session must not become a way to guess the current password: 5 attempts per user
 * within 15 minutes, then refused (even with the right password) until the window ends. A
 * correct current password clears the count.
 */
export const CHANGE_PASSWORD_LIMIT: AttemptRule = { name: "change-password", limit: 5, windowMs: 15 * 60 * 1000 };

/** Needs the current password; every other session of the user ends. */
export async function changePassword(actor: UserActor, input: unknown): Promise<{ endedSessions: number }> {
  const { currentPassword, newPassword } = ZChangePasswordInput.parse(input);
  const attempt = await takeAttempt(CHANGE_PASSWORD_LIMIT, actor.userId);
  if (!attempt.allowed) throw tooManyAttempts("Too many wrong current passwords.", attempt.retryAfterMs, "currentPassword");
  const user = await db.user.findUnique({ where: { id: actor.userId }, select: { passwordHash: true } });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  if (!(await verifyPassword(user.passwordHash, currentPassword))) {
    throw new AppError("VALIDATION", "The current password is not correct.", {
      currentPassword: ["The current password is not correct"],
    });
  }
  await clearAttempts(CHANGE_PASSWORD_LIMIT, actor.userId);
  await db.user.update({ where: { id: actor.userId }, data: { passwordHash: await hashPassword(newPassword) } });
  const endedSessions = await deleteUserSessions(actor.userId, actor.sessionId);
  await recordAudit({ actor, action: "user.change-password", targetType: "user", targetId: actor.userId, details: { endedSessions } });
  return { endedSessions };
}
