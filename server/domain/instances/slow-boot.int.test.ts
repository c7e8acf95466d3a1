import { afterAll, expect, it, vi } from "vitest";

// A first-boot timeout shorter than the test image's boot delay, set before the env is read.
vi.hoisted(() => {
  process.env.FIRST_BOOT_TIMEOUT_SECONDS = "3";
});

const { db } = await import("@/server/db");
const { createTestUser } = await import("@/testing/accounts");
const { eventually, footprint, statusOf, uniqueSubdomain } = await import("@/testing/instances");
const { provisionInstance } = await import("./provision-instance");
const { observeInstance } = await import("./observe-instance");
const { deleteInstance } = await import("./run-instance-action");

let instanceId: string | undefined;

afterAll(async () => {
  if (!instanceId) return;
  await db.instance.update({ where: { id: instanceId }, data: { status: "DELETING" } });
  await deleteInstance(instanceId);
  expect(await footprint(instanceId)).toMatchObject({ containers: 0, volumes: 0, databases: 0, roles: 0 });
});

it("a boot slower than the timeout is UNHEALTHY, never ERROR, and RUNNING once Odoo answers", async () => {
  const user = await createTestUser();
  const plan = await db.plan.findUniqueOrThrow({ where: { id: "basic-monthly" } });
  const instance = await db.instance.create({
    data: {
      ownerId: user.id,
      name: "Slow boot",
      subdomain: uniqueSubdomain("slow"),
      odooVersion: plan.allowedSeries[0]!,
      planId: plan.id,
      adminEmail: user.email,
      cpuLimit: plan.cpu,
      memoryMb: plan.memoryMb,
      storageGb: plan.storageGb,
      envVars: { STANDIN_BOOT_SECONDS: "8" },
    },
  });
  instanceId = instance.id;

  expect(await provisionInstance(instance.id)).toEqual({ status: "UNHEALTHY" });
  const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
  expect(row.statusMessage).toMatch(/did not answer its health check in time/);

  // What the reconciler and the engine-event follower do on each pass.
  const status = await eventually(async () => {
    await observeInstance(instance.id, { actor: "system:test" });
    const current = await statusOf(instance.id);
    return current === "RUNNING" ? current : null;
  }, 20_000, 1_000);
  expect(status).toBe("RUNNING");
  const events = await db.instanceEvent.findMany({ where: { instanceId: instance.id, type: "STATUS" }, orderBy: { createdAt: "asc" } });
  expect(events.map((e) => e.toStatus)).toEqual(["STARTING", "UNHEALTHY", "RUNNING"]);
  expect(events.some((e) => e.toStatus === "ERROR")).toBe(false);
});
