import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { authenticateUser } from "@/server/domain/auth/authenticate-user";
import { deleteInstance } from "@/server/domain/instances/run-instance-action";
import { containerRuntime } from "@/server/runtime";
import { callerFor, createTestUser, TEST_PASSWORD } from "@/testing/accounts";
import { eventually, odooContainerName, statusOf, uniqueSubdomain } from "@/testing/instances";
import { findActiveSession } from "@/server/auth/sessions";
import { startBillingWorker, startInstanceWorker } from "@/testing/job-workers";

let worker: Worker;
let billingWorker: Worker;
const created: string[] = [];

beforeAll(() => {
  worker = startInstanceWorker(4);
  billingWorker = startBillingWorker();
});

afterAll(async () => {
  await worker.close();
  await billingWorker.close();
  for (const id of created) {
    await db.instance.updateMany({ where: { id, status: { not: "DELETED" } }, data: { status: "DELETING" } });
    await deleteInstance(id).catch(() => undefined);
  }
});

async function waitFor(id: string, status: string, withinMs = 60_000) {
  return eventually(async () => ((await statusOf(id)) === status ? status : null), withinMs).then(async (s) => s ?? statusOf(id));
}

describe("admin: customers", () => {
  it("suspending stops the customer's instances and blocks login; unsuspending brings them back", async () => {
    const admin = await callerFor((await createTestUser("ADMIN")).id);
    const customer = await createTestUser();
    const session = await callerFor(customer.id);
    const instance = await session.caller.instances.create({
      name: "Suspend me",
      subdomain: uniqueSubdomain("sus"),
      odooVersion: "17.0",
      planId: "basic-monthly",
      trial: true,
    });
    created.push(instance.id);
    expect(await waitFor(instance.id, "RUNNING")).toBe("RUNNING");

    const found = await admin.caller.admin.customers.search({ query: customer.email.toUpperCase() });
    expect(found.map((c) => c.id)).toEqual([customer.id]);
    expect(await admin.caller.admin.customers.suspend({ id: customer.id })).toMatchObject({ suspendedInstances: 1 });
    expect(await statusOf(instance.id)).toBe("SUSPENDED");
    expect(await findActiveSession(session.sessionId)).toBeNull();
    await expect(authenticateUser({ email: customer.email, password: TEST_PASSWORD })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Your account is suspended. Contact support.",
    });
    const stopped = await eventually(async () => {
      const container = await containerRuntime().inspectContainer(odooContainerName(instance.id));
      return container && !container.running ? container : null;
    }, 30_000);
    expect(stopped?.running).toBe(false);
    expect(await statusOf(instance.id)).toBe("SUSPENDED");

    await admin.caller.admin.customers.unsuspend({ id: customer.id });
    expect(await waitFor(instance.id, "RUNNING")).toBe("RUNNING");
    await expect(authenticateUser({ email: customer.email, password: TEST_PASSWORD })).resolves.toMatchObject({ id: customer.id });

    const audit = await admin.caller.admin.audit.list({ query: customer.id });
    expect(audit.map((row) => row.action)).toEqual(expect.arrayContaining(["customer.suspend", "customer.unsuspend"]));
  });
});

describe("admin: instances, database servers, audit", () => {
  it("moves an instance only along allowed transitions, with the reason on record", async () => {
    const admin = await callerFor((await createTestUser("ADMIN")).id);
    const owner = await createTestUser();
    const plan = await db.plan.findUniqueOrThrow({ where: { id: "basic-monthly" } });
    const row = await db.instance.create({
      data: {
        ownerId: owner.id,
        name: "Repair me",
        subdomain: uniqueSubdomain("mv"),
        odooVersion: "17.0",
        planId: plan.id,
        status: "ERROR",
        adminEmail: owner.email,
        cpuLimit: plan.cpu,
        memoryMb: plan.memoryMb,
        storageGb: plan.storageGb,
      },
    });
    created.push(row.id);
    await expect(admin.caller.admin.instances.moveToStatus({ id: row.id, status: "RESTARTING", reason: "try" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await admin.caller.admin.instances.moveToStatus({ id: row.id, status: "STOPPED", reason: "checked by hand" });
    expect(await statusOf(row.id)).toBe("STOPPED");
    const listed = await admin.caller.admin.instances.list({ status: "STOPPED", query: row.subdomain! });
    expect(listed.map((i) => i.id)).toEqual([row.id]);
  });

  it("refuses a database server it cannot connect to, naming the field, and never returns the password", async () => {
    const admin = await callerFor((await createTestUser("ADMIN")).id);
    const attempt = admin.caller.admin.dbServers.add({
      name: `bad-${Date.now()}`,
      host: process.env.POOL_DB_HOST!,
      containerHost: process.env.POOL_DB_CONTAINER_HOST!,
      port: Number(process.env.POOL_DB_PORT),
      managerUser: process.env.POOL_DB_MANAGER_USER!,
      managerPassword: "wrong-password",
      maxInstances: 5,
    });
    await expect(attempt).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const fields = await attempt.catch((e: { cause?: { fieldErrors?: Record<string, string[]> } }) => e.cause?.fieldErrors);
    expect(Object.keys(fields ?? {})).toEqual(["host"]);

    const name = `ok-${Date.now()}`;
    const server = await admin.caller.admin.dbServers.add({
      name,
      host: process.env.POOL_DB_HOST!,
      containerHost: process.env.POOL_DB_CONTAINER_HOST!,
      port: Number(process.env.POOL_DB_PORT),
      managerUser: process.env.POOL_DB_MANAGER_USER!,
      managerPassword: process.env.POOL_DB_MANAGER_PASSWORD!,
      maxInstances: 5,
    });
    expect(JSON.stringify(server)).not.toContain(process.env.POOL_DB_MANAGER_PASSWORD!);
    expect((await admin.caller.admin.dbServers.list()).find((s) => s.id === server.id)).toMatchObject({ used: 0, status: "ACTIVE" });
    await admin.caller.admin.dbServers.setStatus({ id: server.id, status: "DISABLED" });
  });

  it("keeps the audit log append-only", async () => {
    const row = await db.auditLog.create({ data: { actor: "system:test", action: "test.append-only", targetType: "test" } });
    await db.auditLog.updateMany({ where: { id: row.id }, data: { action: "tampered" } });
    await db.auditLog.deleteMany({ where: { id: row.id } });
    expect(await db.auditLog.findUnique({ where: { id: row.id } })).toMatchObject({ action: "test.append-only" });
  });
});
