import type { UserActor } from "../../auth/actor";
import { hashPassword, verifyPassword } from "../../auth/password";
import { deleteUserSessions } from "../../auth/sessions";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import { ZChangePasswordInput } from "./schemas";

/** Needs the current password; every other session of the user ends. */
export async function changePassword(actor: UserActor, input: unknown): Promise<{ endedSessions: number }> {
  const { currentPassword, newPassword } = ZChangePasswordInput.parse(input);
  const user = await db.user.findUnique({ where: { id: actor.userId }, select: { passwordHash: true } });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  if (!(await verifyPassword(user.passwordHash, currentPassword))) {
    throw new AppError("VALIDATION", "The current password is not correct.", {
      currentPassword: ["The current password is not correct"],
    });
  }
  await db.user.update({ where: { id: actor.userId }, data: { passwordHash: await hashPassword(newPassword) } });
  const endedSessions = await deleteUserSessions(actor.userId, actor.sessionId);
  await recordAudit({ actor, action: "user.change-password", targetType: "user", targetId: actor.userId, details: { endedSessions } });
  return { endedSessions };
}
