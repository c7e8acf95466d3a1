/**
 * npm run bench:provision — provisions 10 instances concurrently with the Odoo test image's boot
 * delay at 0 and prints the platform's own overhead per instance and as p50/p95:
 *   (a) request -> container started (engine's StartedAt), and
 *   (b) container healthy (first 200 from /web/health, seen by an independent 20 ms poller)
 *       -> RUNNING recorded (statusChangedAt);
 * then times one reconcile pass over 500 instance rows. Everything it creates is deleted.
 * Before each round the spare-database pool is topped up to POOL_SPARE_DATABASES, as the
 * worker's refill job keeps it between signups (POOL_SPARE_DATABASES=0 measures without it).
 */
import "../server/load-dotenv";
import { Worker } from "bullmq";
import { randomBytes } from "node:crypto";
import { createSession } from "../server/auth/sessions";
import { db } from "../server/db";
import { refillSpareDatabases } from "../server/db-pool/spare-databases";
import { createInstance } from "../server/domain/instances/create-instance";
import { containerEngine } from "../server/runtime";
import { env } from "../server/env";
import { reconcileInstances } from "../server/domain/instances/reconcile-instances";
import { deleteInstance } from "../server/domain/instances/run-instance-action";
import { hashPassword } from "../server/auth/password";
import { createRedis } from "../server/queue/connection";
import { getQueue, QUEUE } from "../server/queue/queues";
import { containerRuntime } from "../server/runtime";
import { odooContainerName } from "../server/domain/instances/odoo-container-spec";
import { processInstanceJob } from "../worker/jobs/instance-jobs";

const CONCURRENT = 10;
const RECONCILE_ROWS = 500;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;

async function firstHealthyAt(instanceId: string, deadline: number): Promise<number> {
  for (;;) {
    const row = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, select: { status: true } });
    const container = await containerRuntime().inspectContainer(odooContainerName(instanceId)).catch(() => null);
    if (container?.hostPort) {
      const url = `http://localhost:${container.hostPort}/web/health`;
      for (;;) {
        const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then((r) => r.status === 200, () => false);
        if (ok) return Date.now();
        if (Date.now() > deadline) throw new Error(`instance ${instanceId} never answered`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    if (row.status === "ERROR" || Date.now() > deadline) throw new Error(`instance ${instanceId} failed: ${row.status}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Times the engine calls of provisioning, per container/volume name, by wrapping the runtime
 * instance's methods (measurement only: every call still goes to the real engine).
 */
const engineCalls = new Map<string, Record<string, number>>();
function timeEngineCalls(): void {
  const runtime = containerRuntime() as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ["ensureVolume", "ensureContainer", "startContainer"]) {
    const original = runtime[method]!.bind(runtime);
    runtime[method] = async (...args: unknown[]) => {
      const first = args[0];
      const name = typeof first === "string" ? first : (first as { name: string }).name;
      const instanceId = name.replace(/^odoo-(data-)?/, "");
      const started = performance.now();
      try {
        return await original(...args);
      } finally {
        const calls = engineCalls.get(instanceId) ?? {};
        calls[method] = performance.now() - started;
        engineCalls.set(instanceId, calls);
      }
    };
  }
}

/**
 * The engine's floor under "request -> started": CONCURRENT bare containers of the same image,
 * with the same port publishing, created first and then started all at once, with no platform
 * code involved. Removed afterwards.
 */
async function engineStartFloor(): Promise<number> {
  const docker = containerEngine();
  const image = `${env().ODOO_IMAGE}:${env().ODOO_SERIES[0]}`;
  const names = Array.from({ length: CONCURRENT }, () => `bench-floor-${randomBytes(4).toString("hex")}`);
  const containers = [];
  for (const name of names) {
    containers.push(
      await docker.createContainer({
        name,
        Image: image,
        // HOST points nowhere: the entrypoint waits for PostgreSQL, so the process stays up.
        Env: ["HOST=192.0.2.1", "USER=bench", "PASSWORD=bench"],
        ExposedPorts: { "8069/tcp": {} },
        HostConfig: { PortBindings: { "8069/tcp": [{ HostIp: "127.0.0.1", HostPort: "0" }] } },
      }),
    );
  }
  try {
    const started = performance.now();
    await Promise.all(containers.map((container) => container.start()));
    return performance.now() - started;
  } finally {
    await Promise.all(containers.map((container) => container.remove({ force: true }).catch(() => undefined)));
  }
}

async function main(): Promise<void> {
  timeEngineCalls();
  const user = await db.user.create({
    data: {
      email: `bench-${Date.now()}@bench.example`,
      name: "Bench",
      passwordHash: await hashPassword(randomBytes(12).toString("hex")),
    },
  });
  const sessionId = await createSession(user.id);
  const actor = { kind: "user" as const, userId: user.id, role: "CUSTOMER" as const, sessionId };
  const plan = await db.plan.findUniqueOrThrow({ where: { id: "premium-monthly" } });
  await db.plan.update({ where: { id: plan.id }, data: { maxInstances: 1_000 } });
  const worker = new Worker(QUEUE.instances, processInstanceJob, { connection: createRedis("worker"), concurrency: 16 });
  const ids: string[] = [];
  try {
    const provisionOne = async (i: number) => {
        const requestedAt = Date.now();
        const instance = await createInstance(actor, {
          name: `Bench ${i + 1}`,
          subdomain: `bench${randomBytes(4).toString("hex")}`,
          odooVersion: plan.allowedSeries[0],
          planId: plan.id,
          envVars: { STANDIN_BOOT_SECONDS: "0" },
        });
        ids.push(instance.id);
        const enqueued = Date.now() - requestedAt;
        const healthyAt = await firstHealthyAt(instance.id, requestedAt + 120_000);
        let row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
        while (row.status !== "RUNNING" && Date.now() < requestedAt + 120_000) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
        }
        if (row.status !== "RUNNING") throw new Error(`instance ${instance.id} ended ${row.status}`);
        const container = await containerRuntime().inspectContainer(odooContainerName(instance.id));
        const startedAt = container!.startedAt!.getTime();
        const toStarted = startedAt - requestedAt;
        const healthyToRunning = Math.max(0, row.statusChangedAt.getTime() - healthyAt);
        const steps = await db.instanceEvent.findMany({
          where: { instanceId: instance.id, type: "STEP" },
          orderBy: { createdAt: "asc" },
          select: { message: true, createdAt: true },
        });
        const phases: Record<string, number> = Object.fromEntries(steps.map((e) => [e.message.replace(/ odoo_\w+/, ""), e.createdAt.getTime() - requestedAt]));
        return { n: i + 1, id: instance.id, phases: { "create + enqueue": enqueued, ...phases } as Record<string, number>, toStarted, healthyToRunning, overhead: toStarted + healthyToRunning, total: row.statusChangedAt.getTime() - requestedAt };
    };

    const topUpSpares = async () => {
      const refill = await refillSpareDatabases();
      const ready = await db.spareDatabase.count({ where: { status: "READY", claimedById: null } });
      console.log(`spare databases: ${ready} ready (POOL_SPARE_DATABASES=${env().POOL_SPARE_DATABASES}, ${refill.created} created now)`);
    };

    const floor = await engineStartFloor();
    console.log(`engine alone: ${CONCURRENT} bare containers of the same image started at once in ${ms(floor)} (no platform code)`);

    // Baseline: one instance alone, i.e. the platform's overhead without contention.
    await topUpSpares();
    const alone = await provisionOne(-1);
    console.log(
      `one instance alone: request→started ${ms(alone.toStarted)}, healthy→RUNNING ${ms(alone.healthyToRunning)}, overhead ${ms(alone.overhead)}`,
    );
    console.log(`  steps since the request: ${Object.entries(alone.phases).map(([name, t]) => `${name} ${t} ms`).join(", ")}`);

    console.log("");
    await topUpSpares();
    console.log(`provisioning ${CONCURRENT} instances concurrently (STANDIN_BOOT_SECONDS=0)…`);
    const results = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => provisionOne(i)));
    console.log("\n  #   request→started   healthy→RUNNING   overhead   (request→RUNNING)");
    for (const r of results.sort((a, b) => a.n - b.n)) {
      console.log(`  ${String(r.n).padStart(2)}  ${ms(r.toStarted)}        ${ms(r.healthyToRunning)}      ${ms(r.overhead)}   (${ms(r.total)})`);
    }
    const phaseNames = Object.keys(results[0]!.phases);
    console.log(
      `\n  provisioning steps, p50 since the request: ${phaseNames
        .map((name) => `${name} ${percentile(results.map((r) => r.phases[name] ?? 0), 50)} ms`)
        .join(", ")}`,
    );
    const callNames = ["ensureVolume", "ensureContainer", "startContainer"];
    console.log(
      `  engine call durations, p50 / max: ${callNames
        .map((name) => {
          const values = results.map((r) => engineCalls.get(r.id)?.[name] ?? 0);
          return `${name} ${percentile(values, 50).toFixed(0)} / ${Math.max(...values).toFixed(0)} ms`;
        })
        .join(", ")}`,
    );
    const overheads = results.map((r) => r.overhead);
    console.log(`\n  overhead p50 ${ms(percentile(overheads, 50))}   p95 ${ms(percentile(overheads, 95))}   (target p95 < 1000 ms)`);
    console.log(`  request→started p50 ${ms(percentile(results.map((r) => r.toStarted), 50))}   healthy→RUNNING p50 ${ms(percentile(results.map((r) => r.healthyToRunning), 50))}`);

    console.log(`\nreconcile over ${RECONCILE_ROWS} instance rows…`);
    const rows = Array.from({ length: RECONCILE_ROWS - CONCURRENT }, (_, i) => ({
      ownerId: user.id,
      name: `Row ${i}`,
      subdomain: `row${randomBytes(5).toString("hex")}`,
      odooVersion: plan.allowedSeries[0]!,
      planId: plan.id,
      status: "STOPPED" as const,
      adminEmail: user.email,
      cpuLimit: plan.cpu,
      memoryMb: plan.memoryMb,
      storageGb: plan.storageGb,
    }));
    await db.instance.createMany({ data: rows });
    const drift = await reconcileInstances();
    console.log(`  pass 1 (${drift.checked} rows, ${drift.changed} drifted and fixed): ${ms(drift.durationMs)}`);
    const steady = await reconcileInstances();
    console.log(`  pass 2 (${steady.checked} rows, ${steady.changed} changed):          ${ms(steady.durationMs)}   (target < 2000 ms)`);
  } finally {
    await worker.close();
    for (const id of ids) {
      await db.instance.update({ where: { id }, data: { status: "DELETING" } });
      await deleteInstance(id).catch((error: unknown) => console.error(`cleanup of ${id} failed:`, error));
    }
    await db.instanceEvent.deleteMany({ where: { instance: { ownerId: user.id } } });
    await db.instance.deleteMany({ where: { ownerId: user.id } });
    await db.user.delete({ where: { id: user.id } });
    await db.plan.update({ where: { id: plan.id }, data: { maxInstances: plan.maxInstances } });
    await getQueue(QUEUE.instances).close();
    await db.$disconnect();
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
