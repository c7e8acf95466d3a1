/**
 * npm run bench:backup — backs up an instance whose database holds BENCH_DB_MB (default 220;
 * smoke size 10) and prints the backup job's throughput and peak RSS next to its floor, a
 * plain `pg_dump | gzip -6` of the same database, in the same run. Throughput is the database
 * size divided by wall time. The job runs in its own process (scripts/bench-backup-job.ts),
 * exactly as the worker runs it, including the re-read that verifies the stored archive.
 * The instance is a customer's trial, provisioned through billing and the worker's processors
 * on the real queues. Everything it creates is deleted afterwards.
 * Targets: throughput >= 0.7x the floor, worker peak RSS < 300 MB.
 */
import "../server/load-dotenv";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { db } from "../server/db";
import { deleteBackupArchive } from "../server/domain/backups/manage-backups";
import { tenantConnection } from "../server/domain/instances/tenant-connection";
import { createInstance } from "../server/domain/instances/create-instance";
import { getQueue, QUEUE } from "../server/queue/queues";
import { startBillingWorker, startInstanceWorker } from "../testing/job-workers";
import { createBenchCustomer, exitCode, removeBenchCustomers, sizeFromEnv, SMOKE, target } from "./bench-lib";

const TARGET_MB = sizeFromEnv("BENCH_DB_MB", 220, 10);
const mb = (bytes: number) => bytes / 1024 / 1024;

/** Peak RSS of a running process, polled from /proc (VmHWM is its high-water mark). */
function watchPeakRss(pid: number): { stop: () => number } {
  let peakKb = 0;
  const read = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(read, 20);
  read();
  return {
    stop: () => {
      clearInterval(timer);
      return peakKb;
    },
  };
}

async function waitRunning(id: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { status } = await db.instance.findUniqueOrThrow({ where: { id }, select: { status: true } });
    if (status === "RUNNING") return;
    if (status === "ERROR" || Date.now() > deadline) throw new Error(`instance ended ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Fills the tenant database with rows of mixed text (compresses about 2:1, like business data). */
async function fill(instanceId: string): Promise<number> {
  const client = new pg.Client(await tenantConnection(instanceId));
  await client.connect();
  try {
    await client.query("CREATE TABLE IF NOT EXISTS bench_filler (id bigint PRIMARY KEY, note text, amount numeric, at timestamptz)");
    let size = 0;
    let next = 1;
    const batch = Math.min(200_000, Math.max(10_000, TARGET_MB * 1_000));
    while (mb(size) < TARGET_MB) {
      await client.query(
        `INSERT INTO bench_filler
         SELECT g, 'Invoice ' || g || ' ' || md5(g::text) || ' ' || md5((g * 7)::text) || repeat(' line', (g % 17)::int),
                (g % 100000) / 100.0, now() - (g || ' minutes')::interval
         FROM generate_series($1::bigint, $2::bigint) g`,
        [next, next + batch - 1],
      );
      next += batch;
      size = Number((await client.query("SELECT pg_database_size(current_database()) AS s")).rows[0].s);
    }
    await client.query("VACUUM ANALYZE bench_filler");
    return Number((await client.query("SELECT pg_database_size(current_database()) AS s")).rows[0].s);
  } finally {
    await client.end();
  }
}

/** `pg_dump --no-owner | gzip` to /dev/null: wall time and the larger of the two peak RSS. */
async function plainPipeline(instanceId: string): Promise<{ ms: number; peakRssKb: number; outBytes: number }> {
  const tenant = await tenantConnection(instanceId);
  const env = { ...process.env, PGHOST: tenant.host, PGPORT: String(tenant.port), PGUSER: tenant.user, PGPASSWORD: tenant.password, PGDATABASE: tenant.database };
  const started = performance.now();
  const dump = spawn("pg_dump", ["--no-owner", "--format=p"], { env, stdio: ["ignore", "pipe", "inherit"] });
  const gzip = spawn("gzip", ["-6"], { stdio: ["pipe", "pipe", "inherit"] });
  const dumpRss = watchPeakRss(dump.pid!);
  const gzipRss = watchPeakRss(gzip.pid!);
  dump.stdout.pipe(gzip.stdin);
  let outBytes = 0;
  gzip.stdout.on("data", (chunk: Buffer) => {
    outBytes += chunk.length;
  });
  await Promise.all([
    new Promise((resolve) => dump.on("close", resolve)),
    new Promise((resolve) => gzip.on("close", resolve)),
  ]);
  return { ms: performance.now() - started, peakRssKb: Math.max(dumpRss.stop(), gzipRss.stop()), outBytes };
}

async function ourPipeline(instanceId: string, series: string): Promise<{ ms: number; peakRssKb: number; baselineRssKb: number; sizeBytes: number; status: string }> {
  const backup = await db.backup.create({ data: { instanceId, kind: "MANUAL", odooSeries: series, requestedBy: "bench" } });
  const started = performance.now();
  const child = spawn("npx", ["tsx", "scripts/bench-backup-job.ts", backup.id], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  // npx -> node: watch the node process that runs the job (the deepest child).
  let rss: { stop: () => number } | null = null;
  const findJob = setInterval(() => {
    if (rss) return;
    try {
      const pids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
      if (pids.length > 0) rss = watchPeakRss(Number(pids[0]));
    } catch {
      // not yet
    }
  }, 20);
  await new Promise((resolve) => child.on("close", resolve));
  clearInterval(findJob);
  const ms = performance.now() - started;
  const line = output.split("\n").find((l) => l.includes('"bench-backup-job"'));
  const report = JSON.parse(line ?? "{}") as { status?: string; ms?: number; maxRssKb?: number; baselineRssKb?: number };
  const row = await db.backup.findUniqueOrThrow({ where: { id: backup.id } });
  const peak = (rss as { stop: () => number } | null)?.stop() ?? 0;
  await deleteBackupArchive(backup.id);
  return { ms: report.ms ?? ms, peakRssKb: Math.max(peak, report.maxRssKb ?? 0), baselineRssKb: report.baselineRssKb ?? 0, sizeBytes: Number(row.sizeBytes ?? 0), status: report.status ?? row.status };
}

async function main(): Promise<void> {
  const user = await createBenchCustomer("bench-backup");
  const actor = { kind: "user" as const, userId: user.id, role: "CUSTOMER" as const, sessionId: "bench" };
  const plan = await db.plan.findUniqueOrThrow({ where: { id: "premium-monthly" } });
  const workers = [startInstanceWorker(2), startBillingWorker()];
  let broke = false;
  try {
    console.log(`bench:backup${SMOKE ? " (smoke size)" : ""}: a ${TARGET_MB} MB database, the backup job against pg_dump | gzip -6`);
    const instance = await createInstance(actor, {
      name: "Bench backup",
      subdomain: `bk${randomBytes(4).toString("hex")}`,
      odooVersion: plan.allowedSeries[0],
      planId: plan.id,
      trial: true,
      envVars: { STANDIN_BOOT_SECONDS: "0", STANDIN_INIT_SECONDS_PER_MODULE: "0" },
    });
    await waitRunning(instance.id);
    console.log(`filling the instance's database to ${TARGET_MB} MB…`);
    const dbBytes = await fill(instance.id);
    console.log(`database size: ${mb(dbBytes).toFixed(0)} MB`);

    await plainPipeline(instance.id); // warm the page cache for both runs
    const plain = await plainPipeline(instance.id);
    const ours = await ourPipeline(instance.id, instance.odooVersion);
    if (ours.status !== "SUCCEEDED") throw new Error(`the backup ended ${ours.status}`);
    if (ours.sizeBytes <= 0) throw new Error("the backup archive is empty");

    const plainRate = mb(dbBytes) / (plain.ms / 1000);
    const ourRate = mb(dbBytes) / (ours.ms / 1000);
    const ratio = ourRate / plainRate;
    const peakMb = ours.peakRssKb / 1024;
    console.log(`\nfloor, pg_dump | gzip -6:   ${(plain.ms / 1000).toFixed(1)} s   ${plainRate.toFixed(1)} MB/s   peak RSS ${(plain.peakRssKb / 1024).toFixed(0)} MB (largest of the two)   output ${mb(plain.outBytes).toFixed(0)} MB`);
    console.log(`backup job (zip, sha256, store, verify): ${(ours.ms / 1000).toFixed(1)} s   ${ourRate.toFixed(1)} MB/s   worker peak RSS ${peakMb.toFixed(0)} MB (${(ours.baselineRssKb / 1024).toFixed(0)} MB before the job started)   archive ${mb(ours.sizeBytes).toFixed(0)} MB`);
    console.log("\ntargets:");
    target("throughput >= 0.70x pg_dump | gzip -6", `${ratio.toFixed(2)}x`, ratio >= 0.7);
    target("worker peak RSS < 300 MB", `${peakMb.toFixed(0)} MB`, peakMb < 300);
  } catch (error) {
    broke = true;
    console.error("bench:backup broke:", error);
  } finally {
    for (const worker of workers) await worker.close();
    await removeBenchCustomers([user.id]).catch((error: unknown) => {
      broke = true;
      console.error("cleanup failed:", error);
    });
    for (const name of [QUEUE.instances, QUEUE.billing, QUEUE.maintenance]) await getQueue(name).close();
    await db.$disconnect();
  }
  process.exit(broke ? 1 : exitCode());
}

void main();
