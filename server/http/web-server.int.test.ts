import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect, createServer, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN_LIMITS } from "@/server/auth/login-throttle";

/**
 * The real web server (server/http/web-server.ts over the built app, as scripts/run.sh runs it)
 * with a Redis of its own, so login counters never touch the other suites: rotating
 * X-Forwarded-For (or our internal client-address header) must not get around the per-IP login
 * limit, unless the peer is a trusted proxy.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} within ${withinMs} ms`);
}

let redisProcess: ChildProcess | undefined;
let redis: Redis;
let redisUrl = "";

type WebServer = { base: string; process: ChildProcess; output: () => string };

async function startWebServer(extraEnv: Record<string, string>): Promise<WebServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn("node_modules/.bin/tsx", ["server/http/web-server.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      APP_URL: base,
      AUTH_URL: base,
      REDIS_URL: redisUrl,
      SERVICE_NAME: "web",
      LOG_LEVEL: "warn",
      TRUSTED_PROXIES: "",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(
    "the web server answers",
    async () => {
      if (child.exitCode !== null) throw new Error(`the web server exited (${child.exitCode}):\n${output}`);
      return (await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) })).status < 500;
    },
    60_000,
  ).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}\n${output}`);
  });
  return { base, process: child, output: () => output };
}

/**
 * SIGTERM, as scripts/run.sh and service managers send it: the server must exit 0 by itself,
 * well within its 10 s grace period when nothing is running.
 */
async function stopWebServer(server: WebServer | undefined): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  if (!server || server.process.exitCode !== null) return { code: server?.process.exitCode ?? null, ms: 0 };
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.process.kill("SIGKILL"), 15_000);
    server.process.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - started });
    });
    server.process.kill("SIGTERM");
  });
}

/**
 * One failed login through next-auth, as the login form does it (CSRF cookie + token, the
 * X-Auth-Return-Redirect JSON answer). Returns the refusal code: "credentials" for a wrong
 * password, "locked-<seconds>" while the throttle holds.
 */
async function failedLogin(base: string, headers: Record<string, string>): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const email = `throttle-${randomBytes(6).toString("hex")}@int.example`;
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { ...headers, cookie, "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ email, password: "Wrong-Password-1!", csrfToken }),
  });
  expect(response.status).toBe(200);
  const { url } = (await response.json()) as { url: string };
  const params = new URL(url).searchParams;
  expect(params.get("error"), url).toBe("CredentialsSignin");
  return params.get("code") ?? "";
}

const failuresOf = async (ip: string) => Number((await redis.get(`saas:login-fail:ip:${ip}`)) ?? 0);

beforeAll(async () => {
  const port = await freePort();
  redisUrl = `redis://127.0.0.1:${port}/0`;
  redisProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => {}); // until redis-server is up
  await waitUntil("redis-server answers", async () => (await redis.ping()) === "PONG", 10_000);
});

afterAll(async () => {
  redis?.disconnect();
  redisProcess?.kill("SIGTERM");
});

describe("web server with the default settings (no trusted proxy)", () => {
  let server: WebServer | undefined;
  beforeAll(async () => {
    await redis.flushdb();
    server = await startWebServer({});
  });
  let upgradedSocket: Socket | undefined;
  afterAll(async () => {
    const stopped = await stopWebServer(server);
    upgradedSocket?.destroy();
    expect(stopped.code).toBe(0);
    // The upgraded socket left open below does not hold the shutdown for the grace period.
    expect(stopped.ms).toBeLessThan(8_000);
  });

  it("takes websocket upgrades without getting stuck, and goes on serving", async () => {
    const port = Number(new URL(server!.base).port);
    upgradedSocket = connect(port, "127.0.0.1");
    await new Promise((resolve) => upgradedSocket!.once("connect", resolve));
    upgradedSocket.write(
      "GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${server!.base}/api/health`)).status).toBeLessThan(500);
  });

  it("counts failed logins against the socket address however X-Forwarded-For rotates", async () => {
    for (let attempt = 1; attempt <= LOGIN_LIMITS.perIp; attempt++) {
      const code = await failedLogin(server!.base, {
        "x-forwarded-for": `203.0.113.${attempt}`,
        "x-real-ip": `198.51.100.${attempt}`,
        "x-saas-client-ip": `192.0.2.${attempt}`,
      });
      expect(code, `attempt ${attempt}`).toBe("credentials");
    }
    expect(await failuresOf("127.0.0.1")).toBe(LOGIN_LIMITS.perIp);
    expect(await redis.keys("saas:login-fail:ip:*")).toEqual(["saas:login-fail:ip:127.0.0.1"]);
    // A new email and a new forwarded address: still locked out, because the IP is.
    expect(await failedLogin(server!.base, { "x-forwarded-for": "203.0.113.250" })).toMatch(/^locked-\d+$/);
  });

  it("ignores a client's X-Forwarded-Proto: no HSTS over plain HTTP", async () => {
    const response = await fetch(`${server!.base}/login`, { headers: { "x-forwarded-proto": "https" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("strict-transport-security")).toBeNull();
    expect(response.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  });
});

describe("web server with TRUSTED_PROXIES=127.0.0.1", () => {
  let server: WebServer | undefined;
  beforeAll(async () => {
    await redis.flushdb();
    server = await startWebServer({ TRUSTED_PROXIES: "127.0.0.1" });
  });
  afterAll(async () => {
    expect((await stopWebServer(server)).code).toBe(0);
  });

  it("counts failed logins against the address the proxy forwarded, not what the client wrote", async () => {
    for (let attempt = 1; attempt <= LOGIN_LIMITS.perIp; attempt++) {
      // The client wrote the first hop; the proxy (127.0.0.1) appended the real one.
      const code = await failedLogin(server!.base, { "x-forwarded-for": `198.51.100.${attempt}, 203.0.113.50` });
      expect(code, `attempt ${attempt}`).toBe("credentials");
    }
    expect(await failuresOf("203.0.113.50")).toBe(LOGIN_LIMITS.perIp);
    expect(await failuresOf("127.0.0.1")).toBe(0);
    expect(await failedLogin(server!.base, { "x-forwarded-for": "203.0.113.50" })).toMatch(/^locked-\d+$/);
    // Another client behind the same proxy is not locked out.
    expect(await failedLogin(server!.base, { "x-forwarded-for": "203.0.113.51" })).toBe("credentials");
    expect(await failuresOf("203.0.113.51")).toBe(1);
  });

  it("believes the proxy's X-Forwarded-Proto: HSTS and upgrade-insecure-requests over HTTPS", async () => {
    const response = await fetch(`${server!.base}/login`, { headers: { "x-forwarded-proto": "https" } });
    expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000");
    expect(response.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    const plain = await fetch(`${server!.base}/login`);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });
});
