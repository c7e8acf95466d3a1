/**
 * npm run bench:api — the customer API under a signed-in session, against its floor, in one run.
 *
 * Starts the built web app (the production web server on a free port; build it once with `npm start` or
 * `npm test`), signs a real customer in through next-auth's credentials callback (the login
 * form's own request), gives them BENCH_API_INSTANCES (5; smoke 3) instance rows, then over HTTP:
 *   - `instances.list` and `auth.me` with the session cookie,
 *   - `auth.me` with the cookie of a session that was ended (decoded, looked up, refused: 401),
 *   - the floor: `auth.me` without a cookie (the same route, tRPC handler, procedure chain and
 *     error formatter, answered 401 before any session lookup or query),
 * each BENCH_COUNT (400; smoke 100) times one after another, then the same number with 50
 * requests in flight: p50/p95, requests per second, and the ratio to the floor.
 *
 * Where the time goes per request is measured in this process on the same code and database:
 * the session cookie's JWT decode, the session lookup (findActiveSession), both as the API
 * resolves the actor (resolveActor), the procedure's queries and the serialisation of the
 * answer: one at a time, 50 at once (the web app's Prisma pool holds 10 connections, as this
 * process's does), and the CPU each call costs this process. BENCH_CPU_PROF=<dir> also has the
 * web server write a V8 CPU profile.
 * Target: 50 in flight p95 <= 150 ms. Rows are deleted afterwards.
 */
import "../server/load-dotenv";
import { randomBytes } from "node:crypto";
import { getToken } from "next-auth/jwt";
import superjson from "superjson";
import { resolveActor } from "../server/auth/resolve-actor";
import { findActiveSession } from "../server/auth/sessions";
import { db } from "../server/db";
import { getProfile } from "../server/domain/auth/get-profile";
import { listInstances } from "../server/domain/instances/read-instances";
import { env } from "../server/env";
import {
  BENCH_PASSWORD,
  createBenchCustomer,
  exitCode,
  fmtMs,
  p50p95,
  percentile,
  removeBenchCustomers,
  sizeFromEnv,
  SMOKE,
  startWebApp,
  target,
} from "./bench-lib";

const COUNT = sizeFromEnv("BENCH_COUNT", 400, 100);
const INSTANCES = sizeFromEnv("BENCH_API_INSTANCES", 5, 3);
const IN_FLIGHT = 50;
const WARM_UP = 30;
const TARGET_P95_MS = 150;

/** Cookie header value from a response's Set-Cookie lines, merged into a jar. */
function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const at = pair!.indexOf("=");
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/** Signs in the way the login form does: CSRF token, then the credentials callback. */
async function signIn(base: string, email: string): Promise<string> {
  const jar = new Map<string, string>();
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keepCookies(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const login = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Auth-Return-Redirect": "1", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken, email, password: BENCH_PASSWORD }),
  });
  keepCookies(jar, login);
  await login.arrayBuffer();
  if (!jar.has("authjs.session-token")) throw new Error(`sign-in gave no session cookie (status ${login.status})`);
  return cookieHeader(jar);
}

type Call = { name: string; path: string; cookie?: string; status: number; check: (body: unknown) => void };

async function call(base: string, c: Call): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/api/trpc/${c.path}`, { headers: c.cookie ? { cookie: c.cookie } : {} });
  const body: unknown = await response.json();
  const elapsed = performance.now() - started;
  if (response.status !== c.status) throw new Error(`${c.name} answered ${response.status}, expected ${c.status}: ${JSON.stringify(body).slice(0, 200)}`);
  c.check(body);
  return elapsed;
}

async function sequential(base: string, c: Call): Promise<number[]> {
  const timings: number[] = [];
  for (let i = 0; i < COUNT; i++) timings.push(await call(base, c));
  return timings;
}

async function inFlight(base: string, c: Call): Promise<{ timings: number[]; perSecond: number }> {
  const timings: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < COUNT) timings.push(await call(base, c));
    }),
  );
  return { timings, perSecond: COUNT / ((performance.now() - started) / 1000) };
}

/** ms of fn, one call at a time and IN_FLIGHT at once (p50/p95 of each call). */
async function piece(fn: () => Promise<unknown>, count = Math.min(COUNT, 200)) {
  const one: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn();
    one.push(performance.now() - started);
  }
  const many: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < count) {
        const started = performance.now();
        await fn();
        many.push(performance.now() - started);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { one, many, cpuMs: (used.user + used.system) / 1000 / count };
}

async function main(): Promise<void> {
  const user = await createBenchCustomer("bench-api");
  let broke = false;
  let web: { base: string; stop: () => void } | undefined;
  try {
    const plan = await db.plan.findUniqueOrThrow({ where: { id: "premium-monthly" } });
    await db.instance.createMany({
      data: Array.from({ length: INSTANCES }, (_, i) => ({
        ownerId: user.id,
        name: `Bench API ${i + 1}`,
        subdomain: `api${randomBytes(5).toString("hex")}`,
        odooVersion: plan.allowedSeries[0]!,
        planId: plan.id,
        status: "STOPPED" as const,
        adminEmail: user.email,
        cpuLimit: plan.cpu,
        memoryMb: plan.memoryMb,
        storageGb: plan.storageGb,
      })),
    });
    web = await startWebApp();
    const base = web.base;
    const cookie = await signIn(base, user.email);
    // A second sign-in whose session row is then deleted: its cookie still decodes, the session
    // lookup finds nothing, 401. Against the floor it prices the session check over HTTP.
    const endedCookie = await signIn(base, user.email);
    const endedToken = await getToken({ req: { headers: new Headers({ cookie: endedCookie }) }, secret: env().AUTH_SECRET, secureCookie: env().APP_URL.startsWith("https:") });
    await db.session.delete({ where: { id: endedToken!.sid as string } });

    const data = (body: unknown) => (body as { result: { data: { json: unknown } } }).result.data.json;
    const calls: Call[] = [
      {
        name: "instances.list",
        path: "instances.list",
        cookie,
        status: 200,
        check: (body) => {
          const rows = data(body) as unknown[];
          if (rows.length !== INSTANCES) throw new Error(`instances.list returned ${rows.length} rows, expected ${INSTANCES}`);
        },
      },
      {
        name: "auth.me",
        path: "auth.me",
        cookie,
        status: 200,
        check: (body) => {
          if ((data(body) as { email: string }).email !== user.email) throw new Error("auth.me answered for someone else");
        },
      },
      {
        name: "auth.me, session ended",
        path: "auth.me",
        cookie: endedCookie,
        status: 401,
        check: (body) => {
          if ((body as { error: { json: { data: { code: string } } } }).error.json.data.code !== "UNAUTHORIZED") throw new Error("an ended session was not refused");
        },
      },
      {
        name: "floor: auth.me, no session",
        path: "auth.me",
        status: 401,
        check: (body) => {
          if ((body as { error: { json: { data: { code: string } } } }).error.json.data.code !== "UNAUTHORIZED") throw new Error("floor did not answer UNAUTHORIZED");
        },
      },
    ];
    for (const c of calls) for (let i = 0; i < WARM_UP; i++) await call(base, c);

    console.log(`bench:api${SMOKE ? " (smoke size)" : ""}: ${COUNT} requests each, sequential and ${IN_FLIGHT} in flight; ${INSTANCES} instance rows`);
    const results = new Map<string, { seq: number[]; conc: number[]; perSecond: number }>();
    for (const c of calls) {
      const seq = await sequential(base, c);
      const conc = await inFlight(base, c);
      results.set(c.name, { seq, conc: conc.timings, perSecond: conc.perSecond });
    }
    const floor = results.get(calls[calls.length - 1]!.name)!;
    for (const [name, r] of results) {
      const ratio = (values: number[], floorValues: number[]) => (percentile(values, 95) / percentile(floorValues, 95)).toFixed(2);
      console.log(
        `  ${name.padEnd(28)} sequential ${p50p95(r.seq, 1)} (${ratio(r.seq, floor.seq)}x floor)   ${IN_FLIGHT} in flight ${p50p95(r.conc, 1)} (${ratio(r.conc, floor.conc)}x floor), ${r.perSecond.toFixed(0)} req/s`,
      );
    }

    // The pieces of one signed-in request, timed in this process on the same code and database.
    const headers = new Headers({ cookie });
    const secureCookie = env().APP_URL.startsWith("https:");
    const token = await getToken({ req: { headers }, secret: env().AUTH_SECRET, secureCookie });
    if (!token || typeof token.sid !== "string") throw new Error("the session cookie does not decode");
    const session = await findActiveSession(token.sid);
    if (!session) throw new Error("the session row was not found");
    const actor = { kind: "user" as const, userId: session.userId, role: session.role, sessionId: session.sessionId };
    const listed = await listInstances(actor);
    const profile = await getProfile(actor);
    const pieces: [string, () => Promise<unknown>][] = [
      ["JWT cookie decode alone (getToken)", () => getToken({ req: { headers }, secret: env().AUTH_SECRET, secureCookie })],
      ["session lookup alone (findActiveSession)", () => findActiveSession(token.sid as string)],
      ["actor as the API resolves it (resolveActor)", () => resolveActor(headers)],
      ["instances.list query", () => listInstances(actor)],
      ["auth.me queries (getProfile)", () => getProfile(actor)],
      ["serialise instances.list (superjson)", async () => JSON.stringify(superjson.serialize(listed))],
      ["serialise auth.me (superjson)", async () => JSON.stringify(superjson.serialize(profile))],
    ];
    console.log(`\n  where the time goes, in-process on the same code and database (one at a time | ${IN_FLIGHT} at once | this process's CPU per call):`);
    for (const [name, fn] of pieces) {
      const { one, many, cpuMs } = await piece(fn);
      console.log(`    ${name.padEnd(44)} ${p50p95(one, 2)} | ${p50p95(many, 1)} | ${cpuMs.toFixed(2)} ms`);
    }

    console.log("\ntargets:");
    for (const name of ["instances.list", "auth.me"]) {
      const p95 = percentile(results.get(name)!.conc, 95);
      target(`${name} ${IN_FLIGHT} in flight p95 <= ${TARGET_P95_MS} ms`, fmtMs(p95, 1), p95 <= TARGET_P95_MS);
    }
  } catch (error) {
    broke = true;
    console.error("bench:api broke:", error);
  } finally {
    web?.stop();
    await removeBenchCustomers([user.id]).catch((error: unknown) => {
      broke = true;
      console.error("cleanup failed:", error);
    });
    await db.$disconnect();
  }
  process.exit(broke ? 1 : exitCode());
}

void main();
