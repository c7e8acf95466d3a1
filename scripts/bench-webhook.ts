/**
 * npm run bench:webhook — how fast POST /api/webhooks/killbill/<secret> acknowledges a Kill Bill
 * push (target: 200 within 100 ms; Kill Bill calls inline from its bus and times out at 15 s).
 * Starts the built web app (the production web server; run `npm start` or `npm test` once to build it) on a
 * free port with the current environment, then over HTTP:
 *   - BENCH_COUNT (default 500; smoke size 50) new notifications one after another: p50/p95/p99/max;
 *   - the same again as 10 concurrent senders;
 *   - 100 redeliveries of one notification (the dedupe path);
 *   - the floor: the same requests to a wrong secret (the same route answers 404 before it
 *     reads the body or stores anything), sequential and concurrent, and the ratio of p95s.
 * Each request validates, stores the event and queues its processing, as in production. The
 * notifications are TAG_CREATION events (stored and ignored by the worker); the rows are deleted
 * afterwards.
 */
import "../server/load-dotenv";
import { randomBytes, randomUUID } from "node:crypto";
import { db } from "../server/db";
import { exitCode, percentile, sizeFromEnv, SMOKE, startWebApp, target } from "./bench-lib";

const COUNT = sizeFromEnv("BENCH_COUNT", 500, 50);
const CONCURRENCY = 10;
const TARGET_MS = 100;
const marker = `bench-${randomBytes(4).toString("hex")}`;

const notification = () =>
  JSON.stringify({ eventType: "TAG_CREATION", accountId: randomUUID(), objectType: "TAG", objectId: `${marker}-${randomUUID()}`, metaData: null });

async function post(url: string, body: string, expectedStatus = 200): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json; charset=UTF-8", "User-Agent": "KillBill/1.0" }, body });
  await response.arrayBuffer();
  if (response.status !== expectedStatus) throw new Error(`webhook answered ${response.status}, expected ${expectedStatus}`);
  return performance.now() - started;
}

function report(label: string, timings: number[]) {
  const line = [50, 95, 99].map((p) => `p${p} ${percentile(timings, p).toFixed(1)} ms`).join(", ");
  const max = Math.max(...timings);
  const over = timings.filter((t) => t > TARGET_MS).length;
  console.log(`${label.padEnd(34)} n=${timings.length}: ${line}, max ${max.toFixed(1)} ms; over ${TARGET_MS} ms: ${over}`);
  return percentile(timings, 99);
}

async function main(): Promise<void> {
  const secret = process.env.KILLBILL_WEBHOOK_SECRET ?? randomBytes(24).toString("hex");
  let web: { base: string; stop: () => void } | undefined;
  let broke = false;
  try {
    web = await startWebApp({ KILLBILL_WEBHOOK_SECRET: secret });
    const url = `${web.base}/api/webhooks/killbill/${secret}`;
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
    // The floor: the same requests to a wrong secret, answered 404 by the same route before
    // the body is read or anything is stored.
    const floorUrl = `${web.base}/api/webhooks/killbill/${randomBytes(24).toString("hex")}`;
    const floorSequential: number[] = [];
    for (let i = 0; i < COUNT; i++) floorSequential.push(await post(floorUrl, notification(), 404));
    const floorConcurrent: number[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = 0; i < COUNT / CONCURRENCY; i++) floorConcurrent.push(await post(floorUrl, notification(), 404));
      }),
    );

    console.log(`bench:webhook${SMOKE ? " (smoke size)" : ""} — POST /api/webhooks/killbill/<secret>, target: 200 within ${TARGET_MS} ms`);
    const p99s = [
      report("new notifications, sequential", sequential),
      report(`new notifications, ${CONCURRENCY} concurrent`, concurrent),
      report("redeliveries of one notification", redeliveries),
    ];
    report("floor: wrong secret, sequential", floorSequential);
    report(`floor: wrong secret, ${CONCURRENCY} concurrent`, floorConcurrent);
    const ratio = (ours: number[], floor: number[]) => `p95 ${(percentile(ours, 95) / percentile(floor, 95)).toFixed(2)}x`;
    console.log(`against the floor: sequential ${ratio(sequential, floorSequential)}, ${CONCURRENCY} concurrent ${ratio(concurrent, floorConcurrent)}`);
    const stored = await db.billingEvent.findMany({ where: { objectId: { startsWith: marker } }, select: { deliveries: true } });
    const expected = 20 + COUNT + Math.ceil(COUNT / CONCURRENCY) * CONCURRENCY + 1;
    const redelivered = Math.max(...stored.map((s) => s.deliveries));
    console.log(`stored events: ${stored.length} (expected ${expected}), deliveries of the redelivered one: ${redelivered}`);
    if (stored.length !== expected || redelivered !== 100) throw new Error("the webhook did not store each notification exactly once");
    target(`p99 of each series <= ${TARGET_MS} ms`, p99s.map((p) => `${p.toFixed(1)} ms`).join(", "), p99s.every((p) => p <= TARGET_MS));
  } catch (error) {
    broke = true;
    console.error(`bench:webhook broke: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await db.billingEvent.deleteMany({ where: { objectId: { startsWith: marker } } });
    web?.stop();
    await db.$disconnect();
  }
  process.exit(broke ? 1 : exitCode());
}

void main();
