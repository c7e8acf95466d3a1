import { Queue, QueueEvents, type Worker } from "bullmq";
import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "@/server/crypto/secrets";
import { db } from "@/server/db";
import { createRedis } from "@/server/queue/connection";
import { QUEUE } from "@/server/queue/queues";
import { containerRuntime } from "@/server/runtime";
import { callerFor, createTestUser } from "@/testing/accounts";
import { startBillingWorker, startInstanceWorker } from "@/testing/job-workers";
import { eventually, footprint, initContainerLeft, odooContainerName, servingArgs, statusOf, uniqueSubdomain } from "@/testing/instances";
import { odooCommonLogin } from "@/testing/odoo-client";
import { followEngineEvents } from "./follow-engine-events";
import { hashOdooPassword } from "./odoo-password";
import { PROVISION_STEPS, provisionInstance } from "./provision-instance";
import { reconcileInstances } from "./reconcile-instances";
import { deleteInstance } from "./run-instance-action";

/**
 * Instances against real containers of the Odoo test image, a real PostgreSQL pool server and
 * real queues. Jobs run through the same processor the worker uses.
 */
let worker: Worker;
let billingWorker: Worker;
let queueEvents: QueueEvents;
const events = new AbortController();
const created: string[] = [];

const series = () => (process.env.ODOO_SERIES ?? "17.0,18.0").split(",")[0]!.trim();
const OWNER_ODOO_PASSWORD = "Killed-Worker-Pass-31!";

async function newCustomer() {
  const user = await createTestUser();
  return { user, ...(await callerFor(user.id)) };
}

async function createdBy(caller: Awaited<ReturnType<typeof newCustomer>>["caller"], extra: Record<string, unknown> = {}) {
  const instance = await caller.instances.create({
    name: "Test instance",
    subdomain: uniqueSubdomain(),
    odooVersion: series(),
    planId: "premium-monthly",
    trial: true,
    ...extra,
  });
  created.push(instance.id);
  return instance;
}

/** An instance row in PROVISIONING with no job queued: for tests that drive provisioning by hand. */
async function unqueuedInstance() {
  const user = await createTestUser();
  const plan = await db.plan.findUniqueOrThrow({ where: { id: "premium-monthly" } });
  const instance = await db.instance.create({
    data: {
      ownerId: user.id,
      name: "Driven by hand",
      subdomain: uniqueSubdomain(),
      odooVersion: series(),
      planId: plan.id,
      adminEmail: user.email,
      // The owner's chosen Odoo password, as createInstance stores it (fewer rounds: a test).
      odooAdminHashEnc: encryptSecret(await hashOdooPassword(OWNER_ODOO_PASSWORD, { rounds: 1000 })),
      cpuLimit: plan.cpu,
      memoryMb: plan.memoryMb,
      storageGb: plan.storageGb,
    },
  });
  created.push(instance.id);
  return instance;
}

async function running(caller: Awaited<ReturnType<typeof newCustomer>>["caller"]) {
  const instance = await createdBy(caller);
  expect(await waitForStatus(instance.id, ["RUNNING", "ERROR"], 60_000)).toBe("RUNNING");
  return instance;
}

async function waitForStatus(id: string, statuses: string[], withinMs: number) {
  return eventually(async () => {
    const status = await statusOf(id);
    return statuses.includes(status) ? status : null;
  }, withinMs).then(async (found) => found ?? statusOf(id));
}

beforeAll(async () => {
  worker = startInstanceWorker(8);
  billingWorker = startBillingWorker();
  queueEvents = new QueueEvents(QUEUE.instances, { connection: createRedis("worker") });
  followEngineEvents(containerRuntime(), events.signal);
});

afterAll(async () => {
  events.abort();
  await worker.close();
  await billingWorker.close();
  await queueEvents.close();
  // Leave nothing behind: every instance this file made is deleted for real.
  for (const id of created) {
    await db.instance.updateMany({ where: { id, status: { not: "DELETED" } }, data: { status: "DELETING" } });
    await deleteInstance(id).catch(() => undefined);
  }
  await new Queue(QUEUE.instances, { connection: createRedis("queue") }).obliterate({ force: true }).catch(() => undefined);
});

describe("provisioning", () => {
  it("create -> RUNNING through the queue, with /web/health answering at the stored URL", async () => {
    const { caller } = await newCustomer();
    const instance = await createdBy(caller);
    // Nothing is provisioned before billing confirms the trial.
    expect(instance.status).toBe("PENDING_PAYMENT");
    expect(await waitForStatus(instance.id, ["RUNNING", "ERROR"], 60_000)).toBe("RUNNING");

    const row = await caller.instances.get({ id: instance.id });
    expect(row.url).toMatch(/^http:\/\/localhost:\d+$/);
    const health = await fetch(`${row.url}/web/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "pass" });
    expect(row).not.toHaveProperty("dbPasswordEnc");

    const timeline = await caller.instances.events({ id: instance.id });
    expect(timeline.map((e) => e.toStatus ?? e.message)).toEqual(
      expect.arrayContaining(["PENDING_PAYMENT", "Free trial started", "PROVISIONING", "STARTING", "RUNNING", "Container created"]),
    );
    const footprintNow = await footprint(instance.id);
    expect(footprintNow).toEqual({ containers: 1, running: 1, volumes: 1, roles: 1, databases: 1 });
    // Initialised privately by a one-shot container, gone since; the serving one never installs.
    expect(timeline.map((e) => e.message)).toContain("Database initialised (base)");
    expect(await initContainerLeft(instance.id)).toBe(false);
    expect(await servingArgs(instance.id)).not.toContain("-i");
    expect(await servingArgs(instance.id)).not.toContain("--stop-after-init");

    // The password is stored encrypted and works for the instance's own database only.
    const stored = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(stored.dbPasswordEnc).not.toBeNull();
    const client = new pg.Client({
      host: process.env.POOL_DB_HOST,
      port: Number(process.env.POOL_DB_PORT),
      user: stored.dbUser!,
      password: decryptSecret(stored.dbPasswordEnc!),
      database: stored.dbName!,
    });
    await client.connect();
    const modules = await client.query("SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name");
    expect(modules.rows.map((r) => r.name)).toEqual(expect.arrayContaining(["base", "web"]));
    await client.end();

    const logs = await caller.instances.logs({ id: instance.id, lines: 50 });
    expect(logs.available).toBe(true);
    expect(logs.lines.join("\n")).toContain("odoo");
    const healthPanel = await caller.instances.health({ id: instance.id });
    expect(healthPanel).toMatchObject({ container: { running: true }, httpHealthy: true });
  });

  it("stop, start and restart change the real container", async () => {
    const { caller } = await newCustomer();
    const instance = await running(caller);
    const runtime = containerRuntime();
    const name = odooContainerName(instance.id);

    await caller.instances.stop({ id: instance.id });
    await expect(caller.instances.start({ id: instance.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await waitForStatus(instance.id, ["STOPPED"], 30_000)).toBe("STOPPED");
    expect((await runtime.inspectContainer(name))?.running).toBe(false);

    await caller.instances.start({ id: instance.id });
    expect(await waitForStatus(instance.id, ["RUNNING"], 30_000)).toBe("RUNNING");
    const startedAt = (await runtime.inspectContainer(name))?.startedAt;
    expect((await runtime.inspectContainer(name))?.running).toBe(true);

    await caller.instances.restart({ id: instance.id });
    expect(await waitForStatus(instance.id, ["RUNNING"], 30_000)).toBe("RUNNING");
    const after = await runtime.inspectContainer(name);
    expect(after?.running).toBe(true);
    expect(after?.startedAt).not.toBe(startedAt);
    const { url } = await caller.instances.get({ id: instance.id });
    expect((await fetch(`${url}/web/health`)).status).toBe(200);
  });

  it("serializes concurrent actions on one instance: one wins, the others get INVALID_STATE", async () => {
    const { caller } = await newCustomer();
    const instance = await running(caller);
    const results = await Promise.allSettled([
      caller.instances.stop({ id: instance.id }),
      caller.instances.restart({ id: instance.id }),
      caller.instances.stop({ id: instance.id }),
      caller.instances.delete({ id: instance.id }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const lost of results.filter((r) => r.status === "rejected")) {
      expect((lost as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
    }
    // The instance ends where the winning action takes it.
    const expected = ["STOPPED", "RUNNING", "STOPPED", "DELETED"][results.findIndex((r) => r.status === "fulfilled")]!;
    expect(await waitForStatus(instance.id, [expected], 30_000)).toBe(expected);
  });

  it("follows containers stopped and started behind the platform's back within 10 s", async () => {
    const { caller } = await newCustomer();
    const instance = await running(caller);
    const name = odooContainerName(instance.id);

    const killedAt = Date.now();
    await containerRuntime().stopContainer(name, 0);
    const afterKill = await waitForStatus(instance.id, ["STOPPED", "ERROR"], 10_000);
    expect(["STOPPED", "ERROR"]).toContain(afterKill);
    expect(Date.now() - killedAt).toBeLessThan(10_000);

    await containerRuntime().startContainer(name);
    expect(await waitForStatus(instance.id, ["RUNNING"], 10_000)).toBe("RUNNING");
  });

  it.each(PROVISION_STEPS)(
    "a worker SIGKILLed right after the %s step leaves, after a rerun, exactly one of everything and RUNNING",
    async (crashStep) => {
      const instance = await unqueuedInstance();
      // `node --import tsx` (not the tsx wrapper), so the killed process is the one spawned here.
      const child = spawnSync(process.execPath, ["--import", "tsx", "testing/provision-until-killed.ts", instance.id, crashStep], {
        encoding: "utf8",
        env: { ...process.env, LOG_LEVEL: "warn" },
        timeout: 60_000,
      });
      expect(child.signal, child.stderr).toBe("SIGKILL");

      // BullMQ's stalled-job check (or the reconciler) runs the job again; here we do it directly.
      await provisionInstance(instance.id);
      expect(await statusOf(instance.id)).toBe("RUNNING");
      expect(await footprint(instance.id)).toEqual({ containers: 1, running: 1, volumes: 1, roles: 1, databases: 1 });
      expect(await initContainerLeft(instance.id)).toBe(false);
      expect(await servingArgs(instance.id)).not.toContain("-i");
      // Handed over exactly as without a crash: the owner's login works, Odoo's default does not.
      const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
      expect(row.odooAdminHashEnc).toBeNull();
      expect(await odooCommonLogin(row.url!, row.dbName!, row.adminEmail, OWNER_ODOO_PASSWORD)).toBe(2);
      expect(await odooCommonLogin(row.url!, row.dbName!, "admin", "admin")).toBe(false);
    },
  );

  it("delete leaves nothing behind in the engine or PostgreSQL, and frees the subdomain", async () => {
    const { caller } = await newCustomer();
    const instance = await running(caller);
    await caller.instances.delete({ id: instance.id });
    expect(await waitForStatus(instance.id, ["DELETED"], 30_000)).toBe("DELETED");
    expect(await footprint(instance.id)).toEqual({ containers: 0, running: 0, volumes: 0, roles: 0, databases: 0 });
    const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row).toMatchObject({ status: "DELETED", subdomain: null, dbPasswordEnc: null });
    await expect(caller.instances.get({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await caller.instances.checkSubdomain({ subdomain: instance.subdomain! })).toEqual({ available: true });
  });

  it("tenant A's role cannot connect to tenant B's database", async () => {
    const [customerA, customerB] = await Promise.all([newCustomer(), newCustomer()]);
    const [a, b] = await Promise.all([running(customerA.caller), running(customerB.caller)]);
    const rowA = await db.instance.findUniqueOrThrow({ where: { id: a.id } });
    const rowB = await db.instance.findUniqueOrThrow({ where: { id: b.id } });
    const intruder = new pg.Client({
      host: process.env.POOL_DB_HOST,
      port: Number(process.env.POOL_DB_PORT),
      user: rowA.dbUser!,
      password: decryptSecret(rowA.dbPasswordEnc!),
      database: rowB.dbName!,
    });
    await expect(intruder.connect()).rejects.toThrow(/permission denied for database/);
    await intruder.end().catch(() => undefined);
  });

  it("with no database server free, provisioning fails with a clear message", async () => {
    const active = await db.dbServer.findMany({ where: { status: "ACTIVE" }, select: { id: true } });
    await db.dbServer.updateMany({ where: { id: { in: active.map((s) => s.id) } }, data: { status: "DRAINING" } });
    try {
      const instance = await unqueuedInstance();
      await expect(provisionInstance(instance.id)).rejects.toThrow("No database server has free capacity");
      const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
      expect(row.status).toBe("ERROR");
      expect(row.statusMessage).toBe("No database server has free capacity: add a server or raise a server's capacity.");
    } finally {
      await db.dbServer.updateMany({ where: { id: { in: active.map((s) => s.id) } }, data: { status: "ACTIVE" } });
    }
  });

  it("the reconciler fixes drift it finds", async () => {
    const { caller } = await newCustomer();
    const instance = await running(caller);
    // Drift: the row says STOPPED while the container runs and answers.
    await db.instance.update({ where: { id: instance.id }, data: { status: "STOPPED" } });
    const report = await reconcileInstances();
    expect(report.checked).toBeGreaterThan(0);
    expect(await statusOf(instance.id)).toBe("RUNNING");
  });
});

describe("lost work", () => {
  it("the reconciler re-enqueues an action whose job was lost, and the worker finishes it", async () => {
    const { caller } = await newCustomer();
    const instance = await running(caller);
    // As if the stop had been requested while Redis was down: status moved, no job queued.
    await db.instance.update({
      where: { id: instance.id },
      data: { status: "STOPPING", statusChangedAt: new Date(Date.now() - 5 * 60_000) },
    });
    const report = await reconcileInstances();
    expect(report.requeued).toBeGreaterThanOrEqual(1);
    expect(await waitForStatus(instance.id, ["STOPPED"], 30_000)).toBe("STOPPED");
  });
});

describe("access and validation", () => {
  it("another customer's instance id answers NOT_FOUND on every procedure", async () => {
    const owner = await newCustomer();
    const other = await newCustomer();
    const instance = await createdBy(owner.caller);
    const id = { id: instance.id };
    const calls: [string, () => Promise<unknown>][] = [
      ["get", () => other.caller.instances.get(id)],
      ["start", () => other.caller.instances.start(id)],
      ["stop", () => other.caller.instances.stop(id)],
      ["restart", () => other.caller.instances.restart(id)],
      ["delete", () => other.caller.instances.delete(id)],
      ["logs", () => other.caller.instances.logs({ ...id, lines: 10 })],
      ["health", () => other.caller.instances.health(id)],
      ["refreshStatus", () => other.caller.instances.refreshStatus(id)],
      ["events", () => other.caller.instances.events(id)],
    ];
    for (const [name, call] of calls) {
      await expect(call(), name).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await other.caller.instances.list()).toEqual([]);
  });

  const bad: [string, Record<string, unknown>][] = [
    ["name", { name: "" }],
    ["name", { name: "x".repeat(65) }],
    ["subdomain", { subdomain: "ab" }],
    ["subdomain", { subdomain: "1abc" }],
    ["subdomain", { subdomain: "abc-" }],
    ["subdomain", { subdomain: "ab_cd" }],
    ["subdomain", { subdomain: "admin" }],
    ["subdomain", { subdomain: "www" }],
    ["odooVersion", { odooVersion: "latest" }],
    ["odooVersion", { odooVersion: "12.0" }],
    ["planId", { planId: "no-such-plan" }],
    ["customAddons", { customAddons: ["Sale"] }],
    ["customAddons", { customAddons: ["sale; DROP TABLE"] }],
    ["customAddons", { customAddons: Array.from({ length: 51 }, (_, i) => `mod_${i}`) }],
    ["envVars", { envVars: { lower: "x" } }],
    ["envVars", { envVars: { PGPASSWORD: "x" } }],
    ["envVars", { envVars: { PASSWORD_FILE: "/etc/shadow" } }],
    ["envVars", { envVars: { HOST: "evil" } }],
    ["envVars", { envVars: { BIG: "x".repeat(4097) } }],
    ["envVars", { envVars: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`V${i}`, "1"])) }],
  ];
  it.each(bad)("refuses a bad %s with a field error and creates nothing: %j", async (field, override) => {
    const { caller, user } = await newCustomer();
    const attempt = caller.instances.create({
      name: "Valid",
      subdomain: uniqueSubdomain(),
      odooVersion: series(),
      planId: "premium-monthly",
      ...override,
    });
    const error = await attempt.then(
      () => null,
      (e: { code?: string; cause?: { fieldErrors?: Record<string, string[]>; flatten?: () => unknown } }) => e,
    );
    expect(error, "must be refused").not.toBeNull();
    expect(["BAD_REQUEST", "CONFLICT"]).toContain(error!.code);
    const fieldErrors =
      (error!.cause as { fieldErrors?: Record<string, string[]> })?.fieldErrors ??
      (error!.cause as { issues?: { path: (string | number)[] }[] })?.issues?.reduce<Record<string, string[]>>(
        (acc, issue) => ({ ...acc, [String(issue.path[0])]: ["x"] }),
        {},
      );
    expect(Object.keys(fieldErrors ?? {})).toContain(field);
    expect(await db.instance.count({ where: { ownerId: user.id } })).toBe(0);
  });

  it("a taken subdomain is a field error", async () => {
    const { caller } = await newCustomer();
    const first = await createdBy(caller);
    await expect(
      caller.instances.create({ name: "Again", subdomain: first.subdomain!, odooVersion: series(), planId: "premium-monthly" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });
});
