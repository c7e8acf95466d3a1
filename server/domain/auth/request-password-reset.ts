import { createHash, randomBytes } from "node:crypto";
import { db } from "../../db";
import { env } from "../../env";
import { sendMail } from "../../mail/send-mail";
import { ZRequestPasswordResetInput } from "./schemas";

export const RESET_TOKEN_TTL_MS = 3600 * 1000;
const RESEND_AFTER_MS = 60 * 1000;

export const hashResetToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Mails a one-time reset link. Answers the same whether or not the email has an account, so the
 * form cannot be used to find out who is a customer.
 */
export async function requestPasswordReset(input: unknown): Promise<void> {
  const { email } = ZRequestPasswordResetInput.parse(input);
  const user = await db.user.findUnique({ where: { email }, select: { id: true, name: true } });
  if (!user) return;
  const recent = await db.passwordResetToken.findFirst({
    where: { userId: user.id, usedAt: null, createdAt: { gt: new Date(Date.now() - RESEND_AFTER_MS) } },
    select: { id: true },
  });
  if (recent) return;

  const token = randomBytes(32).toString("base64url");
  await db.passwordResetToken.create({
    data: { userId: user.id, tokenHash: hashResetToken(token), expiresAt: new Date(Date.now() + RESET_TOKEN_TTL_MS) },
  });
  const link = new URL(`/reset-password?token=${token}`, env().APP_URL).href;
  await sendMail({
    to: email,
    subject: "Reset your OdooCloud password",
    text: [
      `Hello ${user.name},`,
      "",
      "Someone asked to reset the password of your OdooCloud account. To choose a new one, open:",
      link,
      "",
      "The link works once, within one hour. If you did not ask for this, ignore this message.",
    ].join("\n"),
  });
}
