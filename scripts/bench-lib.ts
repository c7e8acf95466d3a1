/**
 * Shared by the benchmarks (scripts/bench-*.ts): sizes, percentiles, target lines, bench
 * customers and their cleanup, and starting the built web app.
 *
 * BENCH_SIZE=smoke (what `npm test` runs) makes every benchmark small and quick: it must still
 * go through the real path end to end and fails on any breakage, but its targets are only
 * printed (a smoke run on shared CI cores is too small and noisy to judge them). A full-size
 * run (the default, run by hand) exits 1 when a target is missed.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { hashPassword } from "../server/auth/password";
import { db } from "../server/db";
import { deleteInstance } from "../server/domain/instances/run-instance-action";

export const SMOKE = process.env.BENCH_SIZE === "smoke";
if (process.env.BENCH_SIZE && !["smoke", "full"].includes(process.env.BENCH_SIZE)) {
  throw new Error(`BENCH_SIZE must be smoke or full, got '${process.env.BENCH_SIZE}'`);
}

/** A positive integer from the environment, else the full or smoke default. */
export function sizeFromEnv(name: string, full: number, smoke: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return SMOKE ? smoke : full;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

export const fmtMs = (value: number, digits = 0) => `${value.toFixed(digits)} ms`;

export const p50p95 = (values: number[], digits = 0) =>
  `p50 ${fmtMs(percentile(values, 50), digits)}, p95 ${fmtMs(percentile(values, 95), digits)}`;

const targets: { name: string; met: boolean }[] = [];

/** Prints a target and whether this run met it; a full-size run exits 1 if any was missed. */
export function target(name: string, measured: string, met: boolean): void {
  targets.push({ name, met });
  console.log(`  target ${name}: ${measured} -> ${met ? "met" : "MISSED"}`);
}

/** Exit code of a run that finished without breaking: smoke runs only judge breakage. */
export function exitCode(): number {
  const missed = targets.filter((t) => !t.met);
  if (missed.length === 0) return 0;
  if (SMOKE) {
    console.log(`(smoke size: ${missed.length} target(s) missed, not judged at this size)`);
    return 0;
  }
  return 1;
}

export const BENCH_PASSWORD = "Bench-Password-123!";

/** A real customer with a known password, marked as a bench user by its e-mail domain. */
export async function createBenchCustomer(label: string) {
  return db.user.create({
    data: {
      email: `${label}-${Date.now()}-${randomBytes(3).toString("hex")}@bench.example`,
      name: `Bench ${label}`,
      passwordHash: await hashPassword(BENCH_PASSWORD),
    },
  });
}

/**
 * Deletes bench customers and everything billing and provisioning made for them: each
 * instance for real (container, volume, database), then the rows in foreign-key order.
 */
export async function removeBenchCustomers(userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const instances = await db.instance.findMany({ where: { ownerId: { in: userIds } }, select: { id: true, status: true } });
  for (const { id, status } of instances) {
    if (status === "DELETED") continue;
    await db.instance.update({ where: { id }, data: { status: "DELETING" } });
    await deleteInstance(id).catch((error: unknown) => console.error(`cleanup of instance ${id} failed:`, error));
  }
  const instanceIds = instances.map((i) => i.id);
  const invoices = await db.invoice.findMany({ where: { userId: { in: userIds } }, select: { id: true } });
  const invoiceIds = invoices.map((i) => i.id);
  const subscriptions = await db.subscription.findMany({ where: { userId: { in: userIds } }, select: { id: true } });
  const objectIds = [...invoiceIds, ...subscriptions.map((s) => s.id)];
  await db.billingEvent.deleteMany({ where: { OR: [{ accountId: { in: userIds } }, { objectId: { in: objectIds } }] } });
  await db.invoicePayment.deleteMany({ where: { invoiceId: { in: invoiceIds } } });
  await db.paynowPayment.deleteMany({ where: { userId: { in: userIds } } });
  await db.invoice.deleteMany({ where: { id: { in: invoiceIds } } });
  await db.subscription.deleteMany({ where: { userId: { in: userIds } } });
  const backups = await db.backup.findMany({ where: { instanceId: { in: instanceIds } }, select: { id: true } });
  await db.backupRestore.deleteMany({ where: { backupId: { in: backups.map((b) => b.id) } } });
  await db.backup.deleteMany({ where: { instanceId: { in: instanceIds } } });
  await db.spareDatabase.updateMany({ where: { claimedById: { in: instanceIds } }, data: { claimedById: null, claimedAt: null } });
  await db.instance.deleteMany({ where: { id: { in: instanceIds } } });
  await db.user.deleteMany({ where: { id: { in: userIds } } });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, deadline: number, exited: () => boolean): Promise<void> {
  while (Date.now() < deadline && !exited()) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the web app did not answer at ${url}${exited() ? " (it exited)" : ""}`);
}

/**
 * Starts the built web app with the production web server (server/http/web-server.ts, what
 * `npm run web` runs; build it with `npm start` or `npm test` once) on a free port with the
 * current environment plus `extraEnv`, and waits for /api/health. Not scripts/run.sh: the
 * benchmarks measure the web app, not the launcher, and start no worker.
 * BENCH_CPU_PROF=<dir> makes the server write a V8 CPU profile (.cpuprofile) there on exit.
 */
export async function startWebApp(extraEnv: Record<string, string> = {}): Promise<{ base: string; stop: () => void }> {
  const port = await freePort();
  // BENCH_CPU_PROF=<dir>: the web server writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // The production web server (`npm run web`: Next behind the trusted-proxy-aware HTTP server).
  const web = spawn(process.execPath, [...profile, "--import", "tsx", "server/http/web-server.ts"], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "warn", SERVICE_NAME: "web", ...extraEnv },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  let exited = false;
  web.on("exit", () => {
    exited = true;
  });
  const stop = () => {
    if (web.pid && !exited) process.kill(-web.pid, "SIGTERM");
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(`${base}/api/health`, Date.now() + 60_000, () => exited);
  } catch (error) {
    stop();
    throw error;
  }
  return { base, stop };
}
