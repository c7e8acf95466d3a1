import { env } from "../../env";
import { takeAttempt, tooManyAttempts, type AttemptRule } from "../../auth/attempt-limit";
import { hashPassword } from "../../auth/password";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import { Prisma } from "../../generated/prisma/client";
import { ZRegisterInput } from "./schemas";

const DUPLICATE = () =>
  new AppError("CONFLICT", "An account with this email already exists.", {
    email: ["An account with this email already exists"],
  });

/**
 * Each sign-up costs a password hash (tens of milliseconds of CPU and ~19 MB of memory), so
 * they are limited: per client address (a person signs up once; an office a few times), and
 * platform-wide per minute so that no flood of addresses can pile up hashes at once. The
 * platform-wide count only takes attempts an address was allowed, so one address cannot use
 * it up for everyone.
 */
export const SIGNUP_LIMITS = {
  /** SIGNUP_LIMIT_PER_IP_HOUR, default 20. */
  get perIp(): AttemptRule {
    return { name: "signup-ip", limit: env().SIGNUP_LIMIT_PER_IP_HOUR, windowMs: 3600 * 1000 };
  },
  global: { name: "signup-all", limit: 60, windowMs: 60 * 1000 } as AttemptRule,
};

/** Creates a customer account. Emails are unique regardless of case (stored lower-cased). */
export async function registerUser(input: unknown, request: { ip?: string } = {}): Promise<{ id: string; email: string }> {
  const data = ZRegisterInput.parse(input);
  if (request.ip) {
    const fromIp = await takeAttempt(SIGNUP_LIMITS.perIp, request.ip);
    if (!fromIp.allowed) throw tooManyAttempts("Too many sign-ups from your network.", fromIp.retryAfterMs);
  }
  const overall = await takeAttempt(SIGNUP_LIMITS.global, "all");
  if (!overall.allowed) throw tooManyAttempts("Too many sign-ups right now.", overall.retryAfterMs);
  if (await db.user.findUnique({ where: { email: data.email }, select: { id: true } })) throw DUPLICATE();
  try {
    const user = await db.user.create({
      data: {
        email: data.email,
        name: data.name,
        company: data.company,
        role: "CUSTOMER",
        passwordHash: await hashPassword(data.password),
      },
      select: { id: true, email: true },
    });
    await recordAudit({ actor: { kind: "system", name: "signup" }, action: "user.register", targetType: "user", targetId: user.id });
    return user;
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides, the loser gets the field error.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw DUPLICATE();
    throw error;
  }
}
