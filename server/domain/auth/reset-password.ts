import { clearLoginFailures } from "../../auth/login-throttle";
import { hashPassword } from "../../auth/password";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import { hashResetToken } from "./request-password-reset";
import { ZResetPasswordInput } from "./schemas";

const INVALID = () =>
  new AppError("VALIDATION", "This reset link is not valid any more. Ask for a new one.", {
    token: ["This reset link is not valid any more"],
  });

/** Sets a new password with a one-time token; every session of the user ends. */
export async function resetPassword(input: unknown): Promise<void> {
  const { token, password } = ZResetPasswordInput.parse(input);
  // A bogus token is refused before the (costly) hash, so this public mutation cannot be used
  // to make the server hash passwords; the transaction checks the token again.
  const candidate = await db.passwordResetToken.findUnique({
    where: { tokenHash: hashResetToken(token) },
    select: { expiresAt: true, usedAt: true },
  });
  if (!candidate || candidate.usedAt || candidate.expiresAt.getTime() <= Date.now()) throw INVALID();
  const passwordHash = await hashPassword(password);
  const user = await db.$transaction(async (tx) => {
    const row = await tx.passwordResetToken.findUnique({
      where: { tokenHash: hashResetToken(token) },
      select: { id: true, userId: true, expiresAt: true, usedAt: true },
    });
    if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) throw INVALID();
    // Claiming the token with a conditional update makes two concurrent uses fail but one.
    const claimed = await tx.passwordResetToken.updateMany({
      where: { id: row.id, usedAt: null },
      data: { usedAt: new Date() },
    });
    if (claimed.count !== 1) throw INVALID();
    await tx.user.update({ where: { id: row.userId }, data: { passwordHash } });
    await tx.passwordResetToken.updateMany({ where: { userId: row.userId, usedAt: null }, data: { usedAt: new Date() } });
    await tx.session.deleteMany({ where: { userId: row.userId } });
    return tx.user.findUniqueOrThrow({ where: { id: row.userId }, select: { id: true, email: true } });
  });
  // Proving control of the mailbox ends a lockout from failed logins on this email.
  await clearLoginFailures(user.email);
  await recordAudit({ actor: { kind: "system", name: "password-reset" }, action: "user.reset-password", targetType: "user", targetId: user.id });
}
