import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { callerFor, createTestUser } from "@/testing/accounts";

/**
 * Every admin mutation aimed at something that does not exist answers NOT_FOUND and writes no
 * audit entry about it (an audit log of things that never happened is worse than none).
 */
const run = Date.now();

type AdminCaller = Awaited<ReturnType<typeof callerFor>>["caller"]["admin"];
/** Each mutation with an id of its own that names nothing. */
const MUTATIONS: [string, (admin: AdminCaller, missing: string) => Promise<unknown>][] = [
  ["customers.suspend", (admin, missing) => admin.customers.suspend({ id: missing })],
  ["customers.unsuspend", (admin, missing) => admin.customers.unsuspend({ id: missing })],
  ["customers.revokeSessions", (admin, missing) => admin.customers.revokeSessions({ id: missing })],
  ["instances.action", (admin, missing) => admin.instances.action({ id: missing, action: "stop" })],
  ["instances.retryProvisioning", (admin, missing) => admin.instances.retryProvisioning({ id: missing })],
  ["instances.moveToStatus", (admin, missing) => admin.instances.moveToStatus({ id: missing, status: "STOPPED", reason: "test: must be refused" })],
  ["dbServers.setCapacity", (admin, missing) => admin.dbServers.setCapacity({ id: missing, maxInstances: 1 })],
  ["dbServers.setStatus", (admin, missing) => admin.dbServers.setStatus({ id: missing, status: "DISABLED" })],
  ["queues.retry", (admin, missing) => admin.queues.retry({ queue: "instances", jobId: missing })],
  ["queues.remove", (admin, missing) => admin.queues.remove({ queue: "instances", jobId: missing })],
  ["billingEvents.replay", (admin, missing) => admin.billingEvents.replay({ id: missing })],
];

describe("admin mutations on ids that do not exist", () => {
  it.each(MUTATIONS)("%s is NOT_FOUND and records nothing", async (name, mutate) => {
    const missing = `missing-${run}-${name}`;
    const admin = await createTestUser("ADMIN");
    const { caller } = await callerFor(admin.id);
    const before = await db.auditLog.count({ where: { actor: { contains: admin.id } } });
    const error = await mutate(caller.admin, missing).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("NOT_FOUND");
    expect(await db.auditLog.count({ where: { actor: { contains: admin.id } } })).toBe(before);
    expect(await db.auditLog.count({ where: { targetId: { contains: missing } } })).toBe(0);
  });

  it("revokeSessions on a real customer ends their sessions and records it once", async () => {
    const admin = await createTestUser("ADMIN");
    const customer = await createTestUser();
    await callerFor(customer.id);
    const { caller } = await callerFor(admin.id);
    await expect(caller.admin.customers.revokeSessions({ id: customer.id })).resolves.toEqual({ ok: true, endedSessions: 1 });
    expect(await db.session.count({ where: { userId: customer.id } })).toBe(0);
    expect(await db.auditLog.count({ where: { action: "customer.revoke-sessions", targetId: customer.id } })).toBe(1);
  });
});
