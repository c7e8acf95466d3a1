import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/trpc/[trpc]/route";
import { clearAttempts } from "@/server/auth/attempt-limit";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { callerFor, createTestUser, TEST_PASSWORD, uniqueEmail } from "@/testing/accounts";
import { sessionHeaders, trpcRequest, type TrpcErrorBody } from "@/testing/http";
import { authenticateUser } from "@/server/domain/auth/authenticate-user";
import { CHANGE_PASSWORD_LIMIT } from "@/server/domain/auth/change-password";
import { registerUser, SIGNUP_LIMITS } from "@/server/domain/auth/register-user";
import { requestPasswordReset, RESET_REQUEST_LIMITS } from "@/server/domain/auth/request-password-reset";

/** Attempt limits on the account mutations, against the real Redis counters. */

const randomIp = () => `10.${randomInt(250)}.${randomInt(250)}.${randomInt(1, 250)}`;

async function outcome(promise: Promise<unknown>): Promise<{ code: string; error?: AppError }> {
  try {
    await promise;
    return { code: "OK" };
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, error };
    const trpc = error as { code?: string; cause?: unknown };
    if (trpc.code) return { code: trpc.code, error: trpc.cause instanceof AppError ? trpc.cause : undefined };
    throw error;
  }
}

describe("changing the password", () => {
  it("locks after 5 wrong current passwords: the 6th is a 429 with a retry time, even when right", async () => {
    expect(CHANGE_PASSWORD_LIMIT).toMatchObject({ limit: 5, windowMs: 15 * 60 * 1000 });
    const user = await createTestUser();
    const { caller } = await callerFor(user.id);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const wrong = await outcome(caller.auth.changePassword({ currentPassword: "Wrong-Password-1!", newPassword: "New-Password-456!" }));
      expect(wrong.code, `attempt ${attempt}`).toBe("BAD_REQUEST");
    }
    const locked = await outcome(caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "New-Password-456!" }));
    expect(locked.code).toBe("TOO_MANY_REQUESTS");
    expect(locked.error?.message).toBe("Too many wrong current passwords. Try again in 15 minutes.");
    expect(locked.error?.fieldErrors?.currentPassword).toEqual([locked.error?.message]);
    const retry = Number(locked.error?.fieldErrors?.retryAfterSeconds?.[0]);
    expect(retry).toBeGreaterThan(880);
    expect(retry).toBeLessThanOrEqual(900);
    // Nothing changed: the old password still works.
    await expect(authenticateUser({ email: user.email, password: TEST_PASSWORD })).resolves.toMatchObject({ id: user.id });

    // Through HTTP: 429 with Retry-After; another user is not affected.
    const response = await POST(
      trpcRequest("mutation", "auth.changePassword", { currentPassword: TEST_PASSWORD, newPassword: "New-Password-456!" }, await sessionHeaders(user.id)),
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(880);
    const body = (await response.json()) as TrpcErrorBody;
    expect(body.error?.json?.data?.code).toBe("TOO_MANY_REQUESTS");
    const other = await createTestUser();
    const theirs = await callerFor(other.id);
    await expect(theirs.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "New-Password-456!" })).resolves.toEqual({
      endedSessions: 0,
    });
  });

  it("a right current password clears the count", async () => {
    const user = await createTestUser();
    const { caller } = await callerFor(user.id);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await outcome(caller.auth.changePassword({ currentPassword: "Wrong-Password-1!", newPassword: "New-Password-456!" }));
    }
    await caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "New-Password-456!" });
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await outcome(caller.auth.changePassword({ currentPassword: "Wrong-Password-1!", newPassword: "Other-Password-789!" }))).code).toBe(
        "BAD_REQUEST",
      );
    }
    await expect(caller.auth.changePassword({ currentPassword: "New-Password-456!", newPassword: "Other-Password-789!" })).resolves.toBeDefined();
  });
});

describe("signing up", () => {
  const signUp = (ip?: string) => registerUser({ name: "Pat", email: uniqueEmail("signup-limit"), password: TEST_PASSWORD }, { ip });

  it("allows 20 sign-ups per address per hour, then a 429 with a retry time; other addresses go on", async () => {
    expect(SIGNUP_LIMITS.perIp).toMatchObject({ limit: 20, windowMs: 3600 * 1000 });
    const ip = randomIp();
    for (let i = 1; i <= 20; i++) expect((await outcome(signUp(ip))).code, `sign-up ${i}`).toBe("OK");
    const email = uniqueEmail("refused");
    const refused = await outcome(registerUser({ name: "Pat", email, password: TEST_PASSWORD }, { ip }));
    expect(refused.code).toBe("LIMIT_EXCEEDED");
    expect(refused.error?.message).toBe("Too many sign-ups from your network. Try again in 60 minutes.");
    expect(Number(refused.error?.fieldErrors?.retryAfterSeconds?.[0])).toBeGreaterThan(3500);
    expect(await db.user.count({ where: { email } })).toBe(0);
    expect((await outcome(signUp(randomIp()))).code).toBe("OK");
  });

  it("has a platform-wide ceiling of 60 a minute, which a refused address does not use up", async () => {
    expect(SIGNUP_LIMITS.global).toMatchObject({ limit: 60, windowMs: 60 * 1000 });
    await clearAttempts(SIGNUP_LIMITS.global, "all");
    try {
      const blocked = randomIp();
      for (let i = 1; i <= 20; i++) await signUp(blocked);
      // Refused by its own limit: not counted against everyone.
      for (let i = 1; i <= 5; i++) expect((await outcome(signUp(blocked))).code).toBe("LIMIT_EXCEEDED");
      for (let i = 1; i <= 40; i++) expect((await outcome(signUp(i <= 20 ? `${blocked}1` : `${blocked}2`))).code, `sign-up ${i}`).not.toBe("LIMIT_EXCEEDED");
      const refused = await outcome(signUp(randomIp()));
      expect(refused.code).toBe("LIMIT_EXCEEDED");
      expect(refused.error?.message).toMatch(/^Too many sign-ups right now\. Try again in \d+ seconds?\.$/);
    } finally {
      await clearAttempts(SIGNUP_LIMITS.global, "all");
    }
  });
});

describe("asking for a password reset", () => {
  const mailsTo = (email: string) => {
    const outbox = env().MAIL_OUTBOX_DIR;
    // Nothing was ever sent: the outbox folder does not exist yet.
    if (!existsSync(outbox)) return 0;
    return readdirSync(outbox).filter((file) => (JSON.parse(readFileSync(path.join(outbox, file), "utf8")) as { to: string }).to === email).length;
  };

  it("allows 10 requests per address per hour, whatever the emails, then a 429", async () => {
    expect(RESET_REQUEST_LIMITS.perIp).toMatchObject({ limit: 10, windowMs: 3600 * 1000 });
    const ip = randomIp();
    for (let i = 1; i <= 10; i++) expect((await outcome(requestPasswordReset({ email: uniqueEmail("nobody") }, { ip }))).code).toBe("OK");
    const user = await createTestUser();
    const refused = await outcome(requestPasswordReset({ email: user.email }, { ip }));
    expect(refused.code).toBe("LIMIT_EXCEEDED");
    expect(refused.error?.message).toBe("Too many password reset requests from your network. Try again in 60 minutes.");
    expect(mailsTo(user.email)).toBe(0);
  });

  it("sends at most 3 mails an hour to one email, answering the 4th request the same", async () => {
    const user = await createTestUser();
    const backdate = () =>
      db.passwordResetToken.updateMany({ where: { userId: user.id }, data: { createdAt: new Date(Date.now() - 2 * 60 * 1000) } });
    for (let i = 1; i <= 4; i++) {
      // Past the one-a-minute rule each time, so only the hourly cap can hold the 4th back.
      await backdate();
      await expect(requestPasswordReset({ email: user.email }, { ip: randomIp() })).resolves.toBeUndefined();
    }
    expect(mailsTo(user.email)).toBe(3);
  });

  it("requests answered without a mail (one a minute) do not use up the owner's hourly mails", async () => {
    const user = await createTestUser();
    // Someone else asks three times within a minute: one mail, the others answered the same.
    for (let i = 1; i <= 3; i++) await requestPasswordReset({ email: user.email }, { ip: randomIp() });
    expect(mailsTo(user.email)).toBe(1);
    // Later the owner asks twice (past the minute each time): both mails are sent.
    for (let i = 1; i <= 2; i++) {
      await db.passwordResetToken.updateMany({ where: { userId: user.id }, data: { createdAt: new Date(Date.now() - 2 * 60 * 1000) } });
      await requestPasswordReset({ email: user.email }, { ip: randomIp() });
    }
    expect(mailsTo(user.email)).toBe(3);
  });
});
