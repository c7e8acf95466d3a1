import { createHash, randomBytes } from "node:crypto";
import { takeAttempt, tooManyAttempts, type AttemptRule } from "../../auth/attempt-limit";
import { db } from "../../db";
import { env } from "../../env";
import { sendMail } from "../../mail/send-mail";
import { ZRequestPasswordResetInput } from "./schemas";

export const RESET_TOKEN_TTL_MS = 3600 * 1000;
const RESEND_AFTER_MS = 60 * 1000;

export const hashResetToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * Each request may send a mail. Per client address: 10 an hour, refused with 429 (whatever the
 * email, so it reveals nothing). Per email: 3 mails an hour on top of one a minute, beyond
 * which requests are answered as usual and send nothing (so no one can flood a mailbox, and the
 * answer still does not tell whether the email has an account).
 */
export const RESET_REQUEST_LIMITS = {
  perIp: { name: "reset-request-ip", limit: 10, windowMs: 3600 * 1000 },
  perEmail: { name: "reset-request-email", limit: 3, windowMs: 3600 * 1000 },
} as const satisfies Record<string, AttemptRule>;

/**
 * Mails a one-time reset link. Answers the same whether or not the email has an account, so the
 * form cannot be used to find out who is a customer.
 */
export async function requestPasswordReset(input: unknown, request: { ip?: string } = {}): Promise<void> {
  const { email } = ZRequestPasswordResetInput.parse(input);
  if (request.ip) {
    const fromIp = await takeAttempt(RESET_REQUEST_LIMITS.perIp, request.ip);
    if (!fromIp.allowed) throw tooManyAttempts("Too many password reset requests from your network.", fromIp.retryAfterMs);
  }
  const user = await db.user.findUnique({ where: { email }, select: { id: true, name: true } });
  if (!user) return;
  const recent = await db.passwordResetToken.findFirst({
    where: { userId: user.id, usedAt: null, createdAt: { gt: new Date(Date.now() - RESEND_AFTER_MS) } },
    select: { id: true },
  });
  if (recent) return;
  // Counts mails really sent: requests the one-a-minute rule answered without a mail must not
  // use up the owner's hourly quota (someone else could otherwise silence their resets).
  if (!(await takeAttempt(RESET_REQUEST_LIMITS.perEmail, email)).allowed) return;

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
