import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { PASSWORD_CASES } from "@/server/auth/password-policy.cases";
import { findActiveSession } from "@/server/auth/sessions";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { appRouter } from "@/server/trpc/root";
import { anonymousCaller, callerFor, createTestUser, TEST_PASSWORD, uniqueEmail } from "@/testing/accounts";
import { authenticateUser } from "./authenticate-user";


async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "OK";
}

describe("registration", () => {
  it("registers with a trimmed, lower-cased email and refuses a duplicate in any case with a field error", async () => {
    const email = uniqueEmail("reg");
    const created = await anonymousCaller().auth.register({
      name: " Ada ",
      email: `  ${email.toUpperCase()} `,
      password: TEST_PASSWORD,
      company: "Analytical Engines",
    });
    expect(created.email).toBe(email);
    const row = await db.user.findUniqueOrThrow({ where: { email } });
    expect(row).toMatchObject({ name: "Ada", company: "Analytical Engines", role: "CUSTOMER" });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(TEST_PASSWORD);

    const duplicate = anonymousCaller().auth.register({ name: "Other", email: email.toUpperCase(), password: TEST_PASSWORD });
    await expect(duplicate).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(duplicate.catch((e: TRPCError) => (e.cause as AppError).fieldErrors)).resolves.toEqual({
      email: ["An account with this email already exists"],
    });
    expect(await db.user.count({ where: { email } })).toBe(1);
  });

  it.each(PASSWORD_CASES)("the server accepts $password exactly when the policy table says so ($why)", async ({ password, accepted }) => {
    const code = await codeOf(anonymousCaller().auth.register({ name: "Pat", email: uniqueEmail("policy"), password }));
    expect(code).toBe(accepted ? "OK" : "BAD_REQUEST");
  });
});

describe("sessions and roles", () => {
  it("auth.me shows the profile of the session's user and 401s without a session", async () => {
    const user = await createTestUser();
    const { caller } = await callerFor(user.id);
    const me = await caller.auth.me();
    expect(me).toMatchObject({ id: user.id, email: user.email, role: "CUSTOMER", subscriptions: [] });
    expect(me).not.toHaveProperty("passwordHash");
    expect(await codeOf(anonymousCaller().auth.me())).toBe("UNAUTHORIZED");
  });

  it("refuses every admin procedure to a customer with 403, and to a visitor with 401", async () => {
    const customer = await createTestUser();
    const admin = await createTestUser("ADMIN");
    const { caller: customerCaller } = await callerFor(customer.id);
    const { caller: adminCaller } = await callerFor(admin.id);
    const adminPaths = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("admin."));
    expect(adminPaths.length).toBeGreaterThan(0);
    for (const procedurePath of adminPaths) {
      const call = (caller: unknown) =>
        procedurePath.split(".").reduce<any>((node, key) => node[key], caller)({}); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(await codeOf(call(customerCaller)), procedurePath).toBe("FORBIDDEN");
      expect(await codeOf(call(anonymousCaller())), procedurePath).toBe("UNAUTHORIZED");
    }
    expect(await adminCaller.admin.overview()).toMatchObject({ customers: expect.any(Number), instancesByStatus: expect.any(Object) });
  });

  it("changing the password needs the current one and ends the user's other sessions", async () => {
    const user = await createTestUser();
    const { caller, sessionId } = await callerFor(user.id);
    const other = await callerFor(user.id);
    expect(await codeOf(caller.auth.changePassword({ currentPassword: "Wrong-Password-1!", newPassword: "New-Password-456!" }))).toBe(
      "BAD_REQUEST",
    );
    expect(await caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: "New-Password-456!" })).toEqual({
      endedSessions: 1,
    });
    expect(await findActiveSession(sessionId)).not.toBeNull();
    expect(await findActiveSession(other.sessionId)).toBeNull();
    await expect(authenticateUser({ email: user.email, password: "New-Password-456!" })).resolves.toMatchObject({ id: user.id });
  });

  it("log out everywhere ends all of the user's sessions and no one else's", async () => {
    const user = await createTestUser();
    const bystander = await createTestUser();
    const first = await callerFor(user.id);
    const second = await callerFor(user.id);
    const theirs = await callerFor(bystander.id);
    expect(await first.caller.auth.logOutEverywhere()).toEqual({ endedSessions: 2 });
    expect(await findActiveSession(first.sessionId)).toBeNull();
    expect(await findActiveSession(second.sessionId)).toBeNull();
    expect(await findActiveSession(theirs.sessionId)).not.toBeNull();
  });
});

describe("brute-force protection", () => {
  it("refuses the 6th attempt within 15 minutes even with the right password, with a retry time", async () => {
    const user = await createTestUser();
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await codeOf(authenticateUser({ email: user.email, password: "Wrong-Password-1!" }))).toBe("UNAUTHORIZED");
    }
    const refused = authenticateUser({ email: user.email, password: TEST_PASSWORD });
    await expect(refused).rejects.toMatchObject({ code: "LIMIT_EXCEEDED", message: "Too many failed attempts. Try again in 15 minutes." });
    const retry = await refused.catch((e: AppError) => Number(e.fieldErrors?.retryAfterSeconds?.[0]));
    expect(retry).toBeGreaterThan(880);
    expect(retry).toBeLessThanOrEqual(900);
  });

  it("a success resets the email's count", async () => {
    const user = await createTestUser();
    for (let attempt = 1; attempt <= 4; attempt++) {
      await codeOf(authenticateUser({ email: user.email, password: "Wrong-Password-1!" }));
    }
    await authenticateUser({ email: user.email, password: TEST_PASSWORD });
    for (let attempt = 1; attempt <= 4; attempt++) {
      await codeOf(authenticateUser({ email: user.email, password: "Wrong-Password-1!" }));
    }
    await expect(authenticateUser({ email: user.email, password: TEST_PASSWORD })).resolves.toMatchObject({ id: user.id });
  });

  it("locks an IP after 20 failures across emails", async () => {
    const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let attempt = 1; attempt <= 20; attempt++) {
      await codeOf(authenticateUser({ email: uniqueEmail("spray"), password: "Wrong-Password-1!", ip }));
    }
    const user = await createTestUser();
    expect(await codeOf(authenticateUser({ email: user.email, password: TEST_PASSWORD, ip }))).toBe("LIMIT_EXCEEDED");
    expect(await codeOf(authenticateUser({ email: user.email, password: TEST_PASSWORD, ip: "10.255.255.254" }))).toBe("OK");
  });
});

describe("password reset", () => {
  function tokenFromOutbox(email: string): string {
    const outbox = env().MAIL_OUTBOX_DIR;
    const message = readdirSync(outbox)
      .map((file) => JSON.parse(readFileSync(path.join(outbox, file), "utf8")) as { to: string; text: string })
      .find((mail) => mail.to === email);
    const token = message?.text.match(/reset-password\?token=([A-Za-z0-9_-]+)/)?.[1];
    if (!token) throw new Error(`no reset mail for ${email}`);
    return token;
  }

  it("mails a link that works once and only once, and ends every session", async () => {
    const user = await createTestUser();
    const { sessionId } = await callerFor(user.id);
    await anonymousCaller().auth.requestPasswordReset({ email: user.email.toUpperCase() });
    const token = tokenFromOutbox(user.email);
    const stored = await db.passwordResetToken.findFirstOrThrow({ where: { userId: user.id } });
    expect(stored.tokenHash).not.toContain(token);

    await anonymousCaller().auth.resetPassword({ token, password: "Brand-New-Pass-7!" });
    expect(await findActiveSession(sessionId)).toBeNull();
    await expect(authenticateUser({ email: user.email, password: "Brand-New-Pass-7!" })).resolves.toMatchObject({ id: user.id });
    expect(await codeOf(authenticateUser({ email: user.email, password: TEST_PASSWORD }))).toBe("UNAUTHORIZED");

    expect(await codeOf(anonymousCaller().auth.resetPassword({ token, password: "Another-Pass-8!" }))).toBe("BAD_REQUEST");
    await expect(authenticateUser({ email: user.email, password: "Brand-New-Pass-7!" })).resolves.toMatchObject({ id: user.id });
  });

  it("a successful reset ends a lockout from failed logins", async () => {
    const user = await createTestUser();
    for (let attempt = 1; attempt <= 5; attempt++) {
      await codeOf(authenticateUser({ email: user.email, password: "Wrong-Password-1!" }));
    }
    expect(await codeOf(authenticateUser({ email: user.email, password: TEST_PASSWORD }))).toBe("LIMIT_EXCEEDED");
    await anonymousCaller().auth.requestPasswordReset({ email: user.email });
    await anonymousCaller().auth.resetPassword({ token: tokenFromOutbox(user.email), password: "After-Reset-Pass-9!" });
    await expect(authenticateUser({ email: user.email, password: "After-Reset-Pass-9!" })).resolves.toMatchObject({ id: user.id });
  });

  it("refuses an expired link and answers unknown emails the same as known ones", async () => {
    const user = await createTestUser();
    await anonymousCaller().auth.requestPasswordReset({ email: user.email });
    const token = tokenFromOutbox(user.email);
    await db.passwordResetToken.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await codeOf(anonymousCaller().auth.resetPassword({ token, password: "Brand-New-Pass-7!" }))).toBe("BAD_REQUEST");

    await expect(anonymousCaller().auth.requestPasswordReset({ email: uniqueEmail("nobody") })).resolves.toBeUndefined();
  });
});
