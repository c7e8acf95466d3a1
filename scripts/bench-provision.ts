/**
 * npm run bench:provision — provisioning against its floor, in one run.
 *
 * Platform: BENCH_CONCURRENT (default 10; smoke 3) customers each create an instance with their
 * free trial at the same moment, through the same domain call as `instances.create`. Billing
 * confirms it the way the builtin provider does (the real billing processor on the real
 * billing queue: start-subscription, SUBSCRIPTION_CREATION in TRIAL, entitlement check), then
 * the real instance processor on the real instances queue provisions it (real engine, real
 * PostgreSQL pool, spare databases topped up first as the worker's refill job keeps them).
 * Timed from the request to RUNNING recorded, and from billing's confirmation to RUNNING.
 *
 * Floor: the same engine work as provisioning, with no platform code, directly through the
 * engine: for each, a one-shot container of the same init spec run to its end on its own
 * ready database, then the serving container of the same spec (image, arguments, env, limits,
 * port publishing, data volume; built by the same pure spec builders) created, started and
 * polled on /web/health every 20 ms. Timed from the first create call to the first 200.
 *
 * The Odoo test image's boot delay (STANDIN_BOOT_SECONDS, BENCH_BOOT_SECONDS here, default 0)
 * and its install time per module (STANDIN_INIT_SECONDS_PER_MODULE, BENCH_INIT_SECONDS here,
 * default 0) are the same on both sides: what is left is the platform's own cost. After one warm-up each, one instance alone (each side in turn,
 * BENCH_ALONE_ROUNDS times: 3, smoke 1; medians), then all at once (BENCH_ROUNDS times: 3,
 * smoke 1; samples pooled); then one reconcile pass
 * over BENCH_RECONCILE_ROWS (500; smoke 50) instance rows. BENCH_BILLING_CONCURRENCY (default
 * 4, the worker's) tries another billing concurrency. Everything it creates is deleted.
 * Targets: request -> RUNNING p95 <= 1.25x the floor at full concurrency; one alone within
 * 150 ms of the floor.
 */
import "../server/load-dotenv";
import { randomBytes } from "node:crypto";
import type { Worker } from "bullmq";
import { db } from "../server/db";
import { accessFor, dropTenantDatabase, ensureTenantDatabase } from "../server/db-pool/manager";
import { refillSpareDatabases } from "../server/db-pool/spare-databases";
import { createInstance } from "../server/domain/instances/create-instance";
import { buildOdooContainerSpec, buildOdooInitSpec, odooContainerName, odooInitContainerName, ODOO_HTTP_PORT } from "../server/domain/instances/odoo-container-spec";
import { reconcileInstances } from "../server/domain/instances/reconcile-instances";
import { env } from "../server/env";
import { getQueue, QUEUE } from "../server/queue/queues";
import { containerEngine, containerRuntime } from "../server/runtime";
import { toCreateOptions } from "../server/runtime/docker-mapping";
import { startBillingWorker, startInstanceWorker } from "../testing/job-workers";
import {
  createBenchCustomer,
  exitCode,
  fmtMs,
  p50p95,
  percentile,
  removeBenchCustomers,
  sizeFromEnv,
  SMOKE,
  target,
} from "./bench-lib";

const CONCURRENT = sizeFromEnv("BENCH_CONCURRENT", 10, 3);
const RECONCILE_ROWS = sizeFromEnv("BENCH_RECONCILE_ROWS", 500, 50);
const ALONE_ROUNDS = sizeFromEnv("BENCH_ALONE_ROUNDS", 3, 1);
const ROUNDS = sizeFromEnv("BENCH_ROUNDS", 3, 1);
const BOOT_SECONDS = process.env.BENCH_BOOT_SECONDS ?? "0";
const INIT_SECONDS = process.env.BENCH_INIT_SECONDS ?? "0";
/** The worker's own concurrencies (worker/index.ts); BENCH_BILLING_CONCURRENCY tries another. */
const INSTANCE_CONCURRENCY = 16;
const BILLING_CONCURRENCY = sizeFromEnv("BENCH_BILLING_CONCURRENCY", 4, 4);
const DEADLINE_MS = 120_000;
const PLAN_ID = "premium-monthly";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------------------------- floor

type FloorContainer = { id: string; database: { host: string; port: number; name: string; user: string; password: string } };

/** Databases for the floor's containers, made before the clock starts (the platform's come from spares). */
async function prepareFloor(count: number): Promise<FloorContainer[]> {
  const server = await db.dbServer.findFirstOrThrow({ where: { status: "ACTIVE" }, orderBy: { id: "asc" } });
  const floor: FloorContainer[] = [];
  for (let i = 0; i < count; i++) {
    const name = `bench_floor_${randomBytes(6).toString("hex")}`;
    const password = randomBytes(24).toString("base64url");
    await ensureTenantDatabase(accessFor(server), { dbName: name, roleName: name, password });
    floor.push({ id: name.replaceAll("_", "-"), database: { host: server.containerHost, port: server.port, name, user: name, password } });
  }
  return floor;
}

/** What the spec builders get for a floor container: the platform's inputs for one instance. */
function floorInput(container: FloorContainer, plan: { cpu: number; memoryMb: number }) {
  return {
    instance: {
      id: container.id,
      odooVersion: env().ODOO_SERIES[0]!,
      subdomain: container.id,
      demoData: false,
      customAddons: [],
      envVars: { STANDIN_BOOT_SECONDS: BOOT_SECONDS, STANDIN_INIT_SECONDS_PER_MODULE: INIT_SECONDS },
      cpuLimit: plan.cpu,
      memoryMb: plan.memoryMb,
    },
    database: container.database,
    image: env().ODOO_IMAGE,
  };
}

// Not platform-managed: no sweep or reconciler anywhere takes these for orphans.
function asFloor<T extends { labels: Record<string, string>; volume: { labels: Record<string, string> }; volumes: { labels: Record<string, string> }[] }>(spec: T): T {
  const labels = { "saas.bench-floor": "true" };
  return { ...spec, labels, volume: { ...spec.volume, labels }, volumes: spec.volumes.map((v) => ({ ...v, labels })) };
}

function floorSpec(container: FloorContainer, plan: { cpu: number; memoryMb: number }) {
  return asFloor(buildOdooContainerSpec({ ...floorInput(container, plan), firstBoot: false, routing: { kind: "ports" } }));
}

/** The one-shot container that initialises the floor's database, as provisioning runs it. */
function floorInitSpec(container: FloorContainer, plan: { cpu: number; memoryMb: number }) {
  return asFloor(buildOdooInitSpec(floorInput(container, plan)));
}

/** Creates, starts and polls the containers all at once; ms from the create call to the first 200 each. */
async function runFloor(containers: FloorContainer[], plan: { cpu: number; memoryMb: number }) {
  const docker = containerEngine();
  return Promise.all(
    containers.map(async (container) => {
      const spec = floorSpec(container, plan);
      const begun = Date.now();
      for (const volume of spec.volumes) await docker.createVolume({ Name: volume.name, Labels: volume.labels });
      // The same work as provisioning on the bare engine: the database initialised by a
      // one-shot container run to its end and removed, then the serving container.
      const task = await docker.createContainer(toCreateOptions(floorInitSpec(container, plan)));
      await task.start();
      const { StatusCode } = (await task.wait({ condition: "not-running" })) as { StatusCode?: number };
      await task.remove({ force: true, v: true });
      if (StatusCode !== 0) throw new Error(`floor init container of ${spec.name} exited with ${StatusCode}`);
      const created = await docker.createContainer(toCreateOptions(spec));
      await created.start();
      const info = await created.inspect();
      const port = info.NetworkSettings.Ports[`${ODOO_HTTP_PORT}/tcp`]?.[0]?.HostPort;
      if (!port) throw new Error(`floor container ${spec.name} has no published port`);
      const startedAt = new Date(info.State.StartedAt).getTime();
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/web/health`, { signal: AbortSignal.timeout(1_000) }).then(
          async (r) => r.status === 200 && ((await r.json()) as { status?: string }).status === "pass",
          () => false,
        );
        if (ok) break;
        if (Date.now() - begun > DEADLINE_MS) throw new Error(`floor container ${spec.name} never answered`);
        await sleep(20);
      }
      const healthy = Date.now();
      return { total: healthy - begun, toStarted: startedAt - begun, startedToHealthy: healthy - startedAt };
    }),
  );
}

async function removeFloor(containers: FloorContainer[]) {
  const docker = containerEngine();
  const server = await db.dbServer.findFirstOrThrow({ where: { status: "ACTIVE" }, orderBy: { id: "asc" } });
  for (const container of containers) {
    await docker.getContainer(odooContainerName(container.id)).remove({ force: true, v: true }).catch(() => undefined);
    await docker.getContainer(odooInitContainerName(container.id)).remove({ force: true, v: true }).catch(() => undefined);
    await docker.getVolume(`odoo-data-${container.id}`).remove().catch(() => undefined);
    await dropTenantDatabase(accessFor(server), { dbName: container.database.name, roleName: container.database.user }).catch(
      (error: unknown) => console.error(`could not drop floor database ${container.database.name}:`, error),
    );
  }
}

// ---------------------------------------------------------------------------------- platform

/**
 * Engine call durations per instance, by wrapping the runtime's methods (measurement only:
 * every call still goes to the real engine).
 */
const engineCalls = new Map<string, Record<string, number>>();
function timeEngineCalls(): void {
  const runtime = containerRuntime() as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ["ensureVolume", "ensureContainer", "startContainer", "inspectContainer"]) {
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
        calls[method] = (calls[method] ?? 0) + performance.now() - started;
        calls[`${method}#`] = (calls[`${method}#`] ?? 0) + 1;
        engineCalls.set(instanceId, calls);
      }
    };
  }
}

type Customer = { id: string; actor: { kind: "user"; userId: string; role: "CUSTOMER"; sessionId: string } };

async function newCustomers(count: number, created: string[]): Promise<Customer[]> {
  const customers: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const user = await createBenchCustomer("bench-provision");
    created.push(user.id);
    customers.push({ id: user.id, actor: { kind: "user", userId: user.id, role: "CUSTOMER", sessionId: "bench" } });
  }
  return customers;
}

/** Waits until every instance is RUNNING (one query per round for all of them). */
async function waitAllRunning(ids: string[], deadline: number): Promise<void> {
  for (;;) {
    const rows = await db.instance.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
    const failed = rows.find((row) => row.status === "ERROR" || row.status === "UNHEALTHY");
    if (failed) throw new Error(`instance ${failed.id} ended ${failed.status}`);
    if (rows.length === ids.length && rows.every((row) => row.status === "RUNNING")) return;
    if (Date.now() > deadline) {
      throw new Error(`not RUNNING in time: ${rows.filter((r) => r.status !== "RUNNING").map((r) => `${r.id} ${r.status}`).join(", ")}`);
    }
    await sleep(100);
  }
}

async function runPlatform(customers: Customer[], plan: { allowedSeries: string[] }) {
  const requested = new Map<string, number>();
  const ids = await Promise.all(
    customers.map(async (customer, i) => {
      const requestedAt = Date.now();
      const instance = await createInstance(customer.actor, {
        name: `Bench ${i + 1}`,
        subdomain: `bench${randomBytes(4).toString("hex")}`,
        odooVersion: plan.allowedSeries[0],
        planId: PLAN_ID,
        trial: true,
        envVars: { STANDIN_BOOT_SECONDS: BOOT_SECONDS, STANDIN_INIT_SECONDS_PER_MODULE: INIT_SECONDS },
      });
      requested.set(instance.id, requestedAt);
      return instance.id;
    }),
  );
  await waitAllRunning(ids, Date.now() + DEADLINE_MS);
  return Promise.all(
    ids.map(async (id) => {
      const requestedAt = requested.get(id)!;
      const events = await db.instanceEvent.findMany({ where: { instanceId: id }, orderBy: { createdAt: "asc" } });
      const at = (predicate: (e: (typeof events)[number]) => boolean) => {
        const event = events.find(predicate);
        return event ? event.createdAt.getTime() - requestedAt : Number.NaN;
      };
      const container = await containerRuntime().inspectContainer(odooContainerName(id));
      const confirmed = at((e) => e.type === "STATUS" && e.toStatus === "PROVISIONING");
      const running = at((e) => e.type === "STATUS" && e.toStatus === "RUNNING");
      const phases: Record<string, number> = {
        "subscription opened": at((e) => e.type === "STEP" && /trial started|Subscription opened/i.test(e.message)),
        "billing confirmed": confirmed,
        "database ready": at((e) => e.type === "STEP" && e.message.startsWith("Database")),
        "volume ready": at((e) => e.type === "STEP" && e.message.startsWith("Data volume")),
        "container created": at((e) => e.type === "STEP" && e.message === "Container created"),
        "engine started it": container?.startedAt ? container.startedAt.getTime() - requestedAt : Number.NaN,
        "start recorded": at((e) => e.type === "STEP" && e.message === "Container started"),
        RUNNING: running,
      };
      return { id, total: running, fromConfirmed: running - confirmed, phases };
    }),
  );
}

async function topUpSpares(count: number) {
  const perServer = Math.max(count, env().POOL_SPARE_DATABASES);
  const refill = await refillSpareDatabases({ perServer });
  const ready = await db.spareDatabase.count({ where: { status: "READY", claimedById: null } });
  console.log(`  spare databases: ${ready} ready (topped up to ${perServer}, ${refill.created} created now, as the refill job keeps them)`);
}

function printPhases(results: Awaited<ReturnType<typeof runPlatform>>) {
  const names = Object.keys(results[0]!.phases);
  console.log(`  platform steps, p50 ms since the request: ${names.map((n) => `${n} ${percentile(results.map((r) => r.phases[n]!), 50).toFixed(0)}`).join(", ")}`);
  const calls = ["ensureVolume", "ensureContainer", "startContainer", "inspectContainer"];
  console.log(
    `  engine calls per instance, p50 total ms (count): ${calls
      .map((name) => {
        const values = results.map((r) => engineCalls.get(r.id)?.[name] ?? 0);
        const counts = results.map((r) => engineCalls.get(r.id)?.[`${name}#`] ?? 0);
        return `${name} ${percentile(values, 50).toFixed(0)} (${percentile(counts, 50)})`;
      })
      .join(", ")}`,
  );
}

function compare(label: string, platform: number[], floor: number[]) {
  const ratio = percentile(platform, 95) / percentile(floor, 95);
  console.log(`  ${label.padEnd(30)} ${p50p95(platform)}   ratio p95 ${ratio.toFixed(2)}x (p50 ${(percentile(platform, 50) / percentile(floor, 50)).toFixed(2)}x)`);
  return ratio;
}

async function main(): Promise<void> {
  timeEngineCalls();
  const plan = await db.plan.findUniqueOrThrow({ where: { id: PLAN_ID } });
  const users: string[] = [];
  let floorContainers: FloorContainer[] = [];
  const workers: Worker[] = [startInstanceWorker(INSTANCE_CONCURRENCY), startBillingWorker(BILLING_CONCURRENCY)];
  let failedBadly = false;
  try {
    console.log(
      `bench:provision${SMOKE ? " (smoke size)" : ""}: ${CONCURRENT} at once and one alone, STANDIN_BOOT_SECONDS=${BOOT_SECONDS} STANDIN_INIT_SECONDS_PER_MODULE=${INIT_SECONDS} on both sides, image ${env().ODOO_IMAGE}:${plan.allowedSeries[0]}, worker concurrency instances ${INSTANCE_CONCURRENCY} / billing ${BILLING_CONCURRENCY}`,
    );
    floorContainers = await prepareFloor(1 + ALONE_ROUNDS + ROUNDS * CONCURRENT);
    const floorWarmUp = floorContainers.slice(0, 1);
    const floorAloneSets = Array.from({ length: ALONE_ROUNDS }, (_, i) => floorContainers.slice(1 + i, 2 + i));
    const floorManySets = Array.from({ length: ROUNDS }, (_, i) => floorContainers.slice(1 + ALONE_ROUNDS + i * CONCURRENT, 1 + ALONE_ROUNDS + (i + 1) * CONCURRENT));

    // Warm-up, not counted: the worker is a long-running process, so the first run's one-off
    // costs (code paths loaded, query plans, connections, the engine's image cache) are not
    // what a customer meets.
    await runFloor(floorWarmUp, plan);
    await topUpSpares(1);
    await runPlatform(await newCustomers(1, users), plan);

    // One alone, each side, ALONE_ROUNDS times in turn (medians: one sample is at the mercy of
    // whatever else the machine is doing).
    const floorAlone: Awaited<ReturnType<typeof runFloor>> = [];
    const alone: Awaited<ReturnType<typeof runPlatform>> = [];
    for (const set of floorAloneSets) {
      floorAlone.push(...(await runFloor(set, plan)));
      await topUpSpares(1);
      alone.push(...(await runPlatform(await newCustomers(1, users), plan)));
    }
    const median = (values: number[]) => percentile(values, 50);
    console.log(`\none alone (${ALONE_ROUNDS} round(s), medians):`);
    console.log(`  floor    (create -> start -> /web/health 200) ${fmtMs(median(floorAlone.map((f) => f.total)))} (engine start at ${median(floorAlone.map((f) => f.toStarted))} ms, healthy ${median(floorAlone.map((f) => f.startedToHealthy))} ms later); each: ${floorAlone.map((f) => f.total).join(", ")} ms`);
    console.log(`  platform (request -> RUNNING)                 ${fmtMs(median(alone.map((a) => a.total)))}; from billing's confirmation ${fmtMs(median(alone.map((a) => a.fromConfirmed)))}; each: ${alone.map((a) => a.total).join(", ")} ms`);
    console.log(`  platform steps, median ms since the request: ${Object.keys(alone[0]!.phases).map((n) => `${n} ${median(alone.map((a) => a.phases[n]!)).toFixed(0)}`).join(", ")}`);
    const aloneGap = median(alone.map((a) => a.total)) - median(floorAlone.map((f) => f.total));
    const aloneGapConfirmed = median(alone.map((a) => a.fromConfirmed)) - median(floorAlone.map((f) => f.total));

    // All at once, each side.
    // All at once, each side in turn, ROUNDS times; the samples of all rounds are pooled (with
    // ten samples a p95 is the single slowest one).
    const floorMany: Awaited<ReturnType<typeof runFloor>> = [];
    const many: Awaited<ReturnType<typeof runPlatform>> = [];
    for (const set of floorManySets) {
      floorMany.push(...(await runFloor(set, plan)));
      await topUpSpares(CONCURRENT);
      many.push(...(await runPlatform(await newCustomers(CONCURRENT, users), plan)));
    }
    console.log(`\n${CONCURRENT} at once (${ROUNDS} round(s), ${many.length} samples each side):`);
    console.log(`  floor    (create -> start -> /web/health 200) ${p50p95(floorMany.map((f) => f.total))}   (engine start ${p50p95(floorMany.map((f) => f.toStarted))}; start -> healthy ${p50p95(floorMany.map((f) => f.startedToHealthy))})`);
    const floorTotals = floorMany.map((f) => f.total);
    const ratio = compare("platform request -> RUNNING", many.map((r) => r.total), floorTotals);
    const ratioConfirmed = compare("platform confirmed -> RUNNING", many.map((r) => r.fromConfirmed), floorTotals);
    printPhases(many);

    console.log("\ntargets:");
    target(`${CONCURRENT} at once, request -> RUNNING p95 <= 1.25x the floor`, `${ratio.toFixed(2)}x (confirmed -> RUNNING ${ratioConfirmed.toFixed(2)}x)`, ratio <= 1.25);
    target("one alone within 150 ms of the floor", `${aloneGap.toFixed(0)} ms (confirmed -> RUNNING ${aloneGapConfirmed.toFixed(0)} ms)`, aloneGap <= 150);

    console.log(`\nreconcile over ${RECONCILE_ROWS} instance rows:`);
    const owner = await createBenchCustomer("bench-reconcile");
    users.push(owner.id);
    await db.instance.createMany({
      data: Array.from({ length: Math.max(0, RECONCILE_ROWS - CONCURRENT - 1) }, (_, i) => ({
        ownerId: owner.id,
        name: `Row ${i}`,
        subdomain: `row${randomBytes(5).toString("hex")}`,
        odooVersion: plan.allowedSeries[0]!,
        planId: plan.id,
        status: "STOPPED" as const,
        adminEmail: owner.email,
        cpuLimit: plan.cpu,
        memoryMb: plan.memoryMb,
        storageGb: plan.storageGb,
      })),
    });
    const drift = await reconcileInstances();
    console.log(`  pass 1 (${drift.checked} rows, ${drift.changed} drifted and fixed): ${fmtMs(drift.durationMs)}`);
    const steady = await reconcileInstances();
    console.log(`  pass 2 (${steady.checked} rows, ${steady.changed} changed): ${fmtMs(steady.durationMs)}`);
    target("steady reconcile pass < 2000 ms", fmtMs(steady.durationMs), steady.durationMs < 2_000);
  } catch (error) {
    failedBadly = true;
    console.error("bench:provision broke:", error);
  } finally {
    for (const worker of workers) await worker.close();
    await removeFloor(floorContainers);
    await removeBenchCustomers(users).catch((error: unknown) => {
      failedBadly = true;
      console.error("cleanup failed:", error);
    });
    for (const name of [QUEUE.instances, QUEUE.billing, QUEUE.maintenance]) await getQueue(name).close();
    await db.$disconnect();
  }
  process.exit(failedBadly ? 1 : exitCode());
}

void main();
