import { clearLoginFailures, loginLockedFor, recordLoginFailure } from "../../auth/login-throttle";
import { hashPassword, verifyPassword } from "../../auth/password";
import { db } from "../../db";
import { AppError } from "../../errors";
import { ZLoginInput } from "./schemas";

// Verifying against a real hash when the email is unknown keeps response times alike.
let dummyHash: Promise<string> | undefined;

export const SUSPENDED_MESSAGE = "Your account is suspended. Contact support.";

export type AuthenticatedUser = { id: string; email: string; name: string; role: "CUSTOMER" | "ADMIN" };

/**
 * Checks an email and password. Locked-out emails and IPs are refused before the password is
 * looked at, so the right password does not help during a lockout.
 */
export async function authenticateUser(input: {
  email: unknown;
  password: unknown;
  ip?: string;
}): Promise<AuthenticatedUser> {
  const parsed = ZLoginInput.safeParse(input);
  if (!parsed.success) throw new AppError("UNAUTHORIZED", "Invalid email or password.");
  const { email, password } = parsed.data;

  const lockedForMs = await loginLockedFor(email, input.ip);
  if (lockedForMs > 0) {
    const minutes = Math.ceil(lockedForMs / 60_000);
    throw new AppError(
      "LIMIT_EXCEEDED",
      `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      { retryAfterSeconds: [String(Math.ceil(lockedForMs / 1000))] },
    );
  }

  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, suspendedAt: true },
  });
  const ok = user
    ? await verifyPassword(user.passwordHash, password)
    : (await verifyPassword(await (dummyHash ??= hashPassword("not-a-real-password")), password), false);
  if (!user || !ok) {
    await recordLoginFailure(email, input.ip);
    throw new AppError("UNAUTHORIZED", "Invalid email or password.");
  }
  await clearLoginFailures(email);
  if (user.suspendedAt) throw new AppError("FORBIDDEN", SUSPENDED_MESSAGE);
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
