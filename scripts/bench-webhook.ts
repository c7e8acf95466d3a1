/**
 * npm run bench:webhook — how fast POST /api/webhooks/killbill/<secret> acknowledges a Kill Bill
 * push (target: 200 within 100 ms; Kill Bill calls inline from its bus and times out at 15 s).
 * Starts the built web app (`next start`, run `npm start` or `npm test` once to build it) on a
 * free port with the current environment, then over HTTP:
 *   - BENCH_COUNT (default 500) new notifications one after another: p50/p95/p99/max;
 *   - the same again as 10 concurrent senders;
 *   - 100 redeliveries of one notification (the dedupe path).
 * Each request validates, stores the event and queues its processing, as in production. The
 * notifications are TAG_CREATION events (stored and ignored by the worker); the rows are deleted
 * afterwards.
 */
import "../server/load-dotenv";
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { db } from "../server/db";

const COUNT = Number(process.env.BENCH_COUNT ?? 500);
const CONCURRENCY = 10;
const TARGET_MS = 100;
const marker = `bench-${randomBytes(4).toString("hex")}`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, deadline: number) {
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status < 500, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the web app did not answer at ${url}`);
}

const notification = () =>
  JSON.stringify({ eventType: "TAG_CREATION", accountId: randomUUID(), objectType: "TAG", objectId: `${marker}-${randomUUID()}`, metaData: null });

async function post(url: string, body: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json; charset=UTF-8", "User-Agent": "KillBill/1.0" }, body });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
  return performance.now() - started;
}

function report(label: string, timings: number[]) {
  const line = [50, 95, 99].map((p) => `p${p} ${percentile(timings, p).toFixed(1)} ms`).join(", ");
  const max = Math.max(...timings);
  const over = timings.filter((t) => t > TARGET_MS).length;
  console.log(`${label.padEnd(34)} n=${timings.length}: ${line}, max ${max.toFixed(1)} ms; over ${TARGET_MS} ms: ${over}`);
  return percentile(timings, 99) > TARGET_MS ? 1 : 0;
}

async function main(): Promise<void> {
  const secret = process.env.KILLBILL_WEBHOOK_SECRET ?? randomBytes(24).toString("hex");
  const port = await freePort();
  const web = spawn("node_modules/.bin/next", ["start", "-p", String(port)], {
    env: { ...process.env, KILLBILL_WEBHOOK_SECRET: secret, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUntilUp(`${base}/api/health`, Date.now() + 60_000);
    const url = `${base}/api/webhooks/killbill/${secret}`;
    for (let i = 0; i < 20; i++) await post(url, notification()); // warm-up: compile, connect pools

    const sequential: number[] = [];
    for (let i = 0; i < COUNT; i++) sequential.push(await post(url, notification()));
    const concurrent: number[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = 0; i < COUNT / CONCURRENCY; i++) concurrent.push(await post(url, notification()));
      }),
    );
    const body = notification();
    const redeliveries: number[] = [];
    for (let i = 0; i < 100; i++) redeliveries.push(await post(url, body));

    console.log(`bench:webhook — POST /api/webhooks/killbill/<secret>, target: 200 within ${TARGET_MS} ms`);
    const missed =
      report("new notifications, sequential", sequential) +
      report(`new notifications, ${CONCURRENCY} concurrent`, concurrent) +
      report("redeliveries of one notification", redeliveries);
    const stored = await db.billingEvent.findMany({ where: { objectId: { startsWith: marker } }, select: { deliveries: true } });
    console.log(`stored events: ${stored.length} (expected ${20 + COUNT + Math.floor(COUNT / CONCURRENCY) * CONCURRENCY + 1}), deliveries of the redelivered one: ${Math.max(...stored.map((s) => s.deliveries))}`);
    if (missed > 0) process.exitCode = 1;
  } finally {
    await db.billingEvent.deleteMany({ where: { objectId: { startsWith: marker } } });
    if (web.pid) process.kill(-web.pid, "SIGTERM");
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:webhook: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
