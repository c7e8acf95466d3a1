// The Odoo test image, driven like the platform drives odoo:<series>: real containers through
// the Docker API (podman here), real PostgreSQL roles and databases made by the pool manager.
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import Docker from "dockerode";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOdooStandinImages, standinImage } from "../../scripts/build-odoo-image.ts";
import { methodCall, parseMethodResponse } from "./xmlrpc.ts";
import { asPoolManager } from "@/testing/instances";

const docker = new Docker();
const PG = {
  host: process.env.POOL_DB_HOST ?? "127.0.0.1",
  containerHost: process.env.POOL_DB_CONTAINER_HOST ?? "host.containers.internal",
  port: Number(process.env.POOL_DB_PORT ?? 5432),
  managerUser: process.env.POOL_DB_MANAGER_USER ?? "",
  managerPassword: process.env.POOL_DB_MANAGER_PASSWORD ?? "",
};
const LABELS = { "saas.managed": "true", "saas.test": "true" };

interface Tenant {
  role: string;
  password: string;
  db: string;
}

const tenants: Tenant[] = [];
const containers: Docker.Container[] = [];
const volumes: string[] = [];

/** The pool manager from the environment, connected as the platform's own db-pool code does. */
const asManager = asPoolManager;

/** A role and an empty database it owns. PG15: CREATE DATABASE ... OWNER needs membership in the role. */
async function createTenant(): Promise<Tenant> {
  const suffix = randomBytes(5).toString("hex");
  const tenant = { role: `standin_t_${suffix}`, password: randomBytes(16).toString("hex"), db: `standin_t_${suffix}` };
  tenants.push(tenant);
  await asManager(async (client) => {
    const role = pg.escapeIdentifier(tenant.role);
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD ${pg.escapeLiteral(tenant.password)}`);
    await client.query(`GRANT ${role} TO CURRENT_USER`);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(tenant.db)} OWNER ${role}`);
  });
  return tenant;
}

async function asTenant<T>(tenant: Tenant, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: PG.host, port: PG.port, user: tenant.role, password: tenant.password, database: tenant.db });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function dbEnv(tenant: Tenant, extra: string[] = []): string[] {
  return [`HOST=${PG.containerHost}`, `PORT=${PG.port}`, `USER=${tenant.role}`, `PASSWORD=${tenant.password}`, ...extra];
}

interface Started {
  container: Docker.Container;
  port: number;
  url: string;
  startedAt: number;
}

async function start(series: string, cmd: string[], env: string[], options: { volume?: string } = {}): Promise<Started> {
  const container = await docker.createContainer({
    Image: standinImage(series),
    Cmd: cmd,
    Env: env,
    Labels: LABELS,
    ExposedPorts: { "8069/tcp": {} },
    HostConfig: {
      PortBindings: { "8069/tcp": [{ HostIp: "127.0.0.1", HostPort: "0" }] },
      Binds: options.volume ? [`${options.volume}:/var/lib/odoo`] : [],
    },
  });
  containers.push(container);
  const startedAt = Date.now();
  await container.start();
  const info = await container.inspect();
  const port = Number(info.NetworkSettings.Ports["8069/tcp"]?.[0]?.HostPort ?? 0);
  return { container, port, url: `http://127.0.0.1:${port}`, startedAt };
}

async function createVolume(): Promise<string> {
  const name = `standin-test-${randomBytes(5).toString("hex")}`;
  await docker.createVolume({ Name: name, Labels: LABELS });
  volumes.push(name);
  return name;
}

async function waitExit(container: Docker.Container, timeoutMs: number): Promise<number> {
  const result = await Promise.race([
    container.wait() as Promise<{ StatusCode: number }>,
    new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`container still running after ${timeoutMs} ms`)), timeoutMs)),
  ]);
  return result.StatusCode;
}

/** Docker's multiplexed stream format (8-byte frame headers) to text. */
function demux(buffer: Buffer): string {
  let text = "";
  let at = 0;
  while (at + 8 <= buffer.length && buffer[at + 1] === 0 && buffer[at + 2] === 0 && buffer[at + 3] === 0) {
    const size = buffer.readUInt32BE(at + 4);
    text += buffer.subarray(at + 8, at + 8 + size).toString("utf8");
    at += 8 + size;
  }
  return at === 0 ? buffer.toString("utf8") : text + buffer.subarray(at).toString("utf8");
}

async function logs(container: Docker.Container): Promise<string> {
  return demux((await container.logs({ stdout: true, stderr: true })) as Buffer);
}

async function execIn(container: Docker.Container, cmd: string[]): Promise<{ exitCode: number | null; output: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode, output: demux(Buffer.concat(chunks)) };
}

async function waitHealthy(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/web/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return response;
      await response.arrayBuffer();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/web/health not 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function xmlrpc(url: string, service: string, method: string, params: Parameters<typeof methodCall>[1] = []) {
  const response = await fetch(`${url}/xmlrpc/2/${service}`, {
    method: "POST",
    headers: { "Content-Type": "text/xml" },
    body: methodCall(method, params),
  });
  expect(response.status).toBe(200);
  return parseMethodResponse(await response.text());
}

const sha1 = (data: Buffer | string): string => createHash("sha1").update(data).digest("hex");

beforeAll(async () => {
  const results = await buildOdooStandinImages({ series: ["17.0", "18.0"], docker, log: () => undefined });
  expect(results.map((result) => result.series)).toEqual(["17.0", "18.0"]);
});

afterAll(async () => {
  await Promise.all(
    containers.map((container) =>
      container.remove({ force: true, v: true }).catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      }),
    ),
  );
  await Promise.all(volumes.map((name) => docker.getVolume(name).remove().catch(() => undefined)));
  await asManager(async (client) => {
    for (const tenant of tenants) {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(tenant.db)} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(tenant.role)}`);
    }
  });
});

describe("odoo test image", () => {
  it("boots, answers /web/health like Odoo, names its database on /web/login and stops on SIGTERM within 2 s", async () => {
    const tenant = await createTenant();
    const odoo = await start(
      "17.0",
      ["--", "-d", tenant.db, "-i", "base", "--without-demo=all", `--db-filter=^${tenant.db}$`, "--no-database-list", "--proxy-mode"],
      dbEnv(tenant, ["STANDIN_BOOT_SECONDS=1"]),
    );
    const health = await waitHealthy(odoo.url, 15_000);
    expect(Date.now() - odoo.startedAt).toBeGreaterThanOrEqual(900); // the boot delay
    expect(health.headers.get("content-type")).toBe("application/json");
    expect(health.headers.get("cache-control")).toBe("no-store");
    expect(await health.text()).toBe('{"status": "pass"}');

    const withDb = await fetch(`${odoo.url}/web/health?db_server_status=1`);
    expect(withDb.status).toBe(200);
    expect(await withDb.json()).toEqual({ status: "pass", db_server_status: true });

    const login = await fetch(`${odoo.url}/web/login`);
    expect(login.status).toBe(200);
    expect(login.headers.get("content-type")).toContain("text/html");
    const html = await login.text();
    expect(html).toContain(`name="db" value="${tenant.db}"`);
    expect(html).toContain('class="oe_login_form"');

    expect(await logs(odoo.container)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} 1 INFO \? odoo\.service\.server: HTTP service \(werkzeug\) running on 0\.0\.0\.0:8069$/m);

    const stopping = Date.now();
    await odoo.container.stop({ t: 10 });
    expect(Date.now() - stopping).toBeLessThan(2_000);
    expect((await odoo.container.inspect()).State.ExitCode).toBe(0);
  });

  it("answers XML-RPC version() with the series of the image (17.0 and 18.0)", async () => {
    const tenant = await createTenant();
    const env = dbEnv(tenant, ["STANDIN_BOOT_SECONDS=0.2"]);
    const [v17, v18] = await Promise.all([start("17.0", ["--", "-d", tenant.db], env), start("18.0", ["--", "-d", tenant.db], env)]);
    for (const [odoo, series, major] of [[v17, "17.0", 17], [v18, "18.0", 18]] as const) {
      await waitHealthy(odoo.url, 15_000);
      const reply = await xmlrpc(odoo.url, "common", "version");
      expect(reply).toEqual({
        fault: false,
        value: { server_version: series, server_version_info: [major, 0, 0, "final", 0, ""], server_serie: series, protocol_version: 1 },
      });
    }
  });

  it("initialises an empty database with -i base --without-demo=all, writes the filestore, and only starts the next time", async () => {
    const [plain, demo] = await Promise.all([createTenant(), createTenant()]);
    const volume = await createVolume();
    const [init, initDemo] = await Promise.all([
      start("17.0", ["--", "-d", plain.db, "-i", "base", "--without-demo=all", "--stop-after-init"], dbEnv(plain, ["STANDIN_BOOT_SECONDS=0"]), { volume }),
      start("17.0", ["--", "-d", demo.db, "-i", "base", "--stop-after-init"], dbEnv(demo, ["STANDIN_BOOT_SECONDS=0"])),
    ]);
    expect(await waitExit(init.container, 20_000)).toBe(0);
    expect(await waitExit(initDemo.container, 20_000)).toBe(0);

    const schema = await asTenant(plain, async (client) => ({
      modules: (await client.query("SELECT name, state, latest_version, demo FROM ir_module_module ORDER BY name")).rows,
      params: (await client.query("SELECT key, value FROM ir_config_parameter WHERE key IN ('database.uuid', 'database.secret') ORDER BY key")).rows,
      logins: (await client.query("SELECT login FROM res_users WHERE active ORDER BY login")).rows.map((row: { login: string }) => row.login),
      attachments: (await client.query("SELECT id, store_fname, checksum, file_size FROM ir_attachment")).rows,
    }));
    expect(schema.modules).toEqual([
      { name: "base", state: "installed", latest_version: expect.stringMatching(/^17\.0\./), demo: false },
      { name: "web", state: "installed", latest_version: expect.stringMatching(/^17\.0\./), demo: false },
    ]);
    expect(schema.params.map((row: { key: string }) => row.key)).toEqual(["database.secret", "database.uuid"]);
    for (const row of schema.params as { value: string }[]) expect(row.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(schema.logins).toEqual(["admin"]);
    expect(schema.attachments).toHaveLength(1);
    const attachment = schema.attachments[0] as { store_fname: string; checksum: string };
    expect(attachment.store_fname).toBe(`${attachment.checksum.slice(0, 2)}/${attachment.checksum}`);

    const demoLogins = await asTenant(demo, async (client) => (await client.query("SELECT login FROM res_users WHERE active ORDER BY login")).rows.map((row: { login: string }) => row.login));
    expect(demoLogins).toEqual(["admin", "demo"]);

    // Second start on the same database and volume: no re-initialisation, the filestore is there.
    const odoo = await start("17.0", ["--", "-d", plain.db, `--db-filter=^${plain.db}$`], dbEnv(plain, ["STANDIN_BOOT_SECONDS=0"]), { volume });
    await waitHealthy(odoo.url, 15_000);
    const filePath = `/var/lib/odoo/filestore/${plain.db}/${attachment.store_fname}`;
    const hashScript = "process.stdout.write(require('crypto').createHash('sha1').update(require('fs').readFileSync(process.argv[1])).digest('hex'))";
    const stored = await execIn(odoo.container, ["node", "-e", hashScript, filePath]);
    expect(stored).toEqual({ exitCode: 0, output: attachment.checksum });

    const content = `user data ${randomBytes(8).toString("hex")}`;
    const response = await fetch(`${odoo.url}/standin/attachment?name=note.txt`, { method: "POST", body: content });
    expect(response.status).toBe(200);
    const created = (await response.json()) as { id: number; sha1: string; store_fname: string };
    expect(created.sha1).toBe(sha1(content));
    const extra = await execIn(odoo.container, ["node", "-e", hashScript, `/var/lib/odoo/filestore/${plain.db}/${created.store_fname}`]);
    expect(extra).toEqual({ exitCode: 0, output: created.sha1 });

    const after = await asTenant(plain, async (client) => ({
      params: (await client.query("SELECT key, value FROM ir_config_parameter WHERE key IN ('database.uuid', 'database.secret') ORDER BY key")).rows,
      attachments: (await client.query("SELECT checksum FROM ir_attachment ORDER BY id")).rows.map((row: { checksum: string }) => row.checksum),
    }));
    expect(after.params).toEqual(schema.params);
    expect(after.attachments).toEqual([attachment.checksum, created.sha1]);
    expect(await logs(odoo.container)).not.toContain("init db");
  });

  it("refuses the postgres role with Odoo's message and exit code 1", async () => {
    const odoo = await start("17.0", ["--", "-d", "anything"], [`HOST=${PG.containerHost}`, "USER=postgres", "PASSWORD=x"]);
    expect(await waitExit(odoo.container, 10_000)).toBe(1);
    expect(await logs(odoo.container)).toContain("Using the database user 'postgres' is a security risk, aborting.");
  });

  it("exits 1 with an ERROR line when PostgreSQL does not answer", async () => {
    const tenant = await createTenant();
    const odoo = await start("18.0", ["--", "-d", tenant.db], [`HOST=${PG.containerHost}`, "PORT=1", `USER=${tenant.role}`, "PASSWORD=x", "STANDIN_DB_WAIT_SECONDS=2"]);
    expect(await waitExit(odoo.container, 15_000)).toBe(1);
    expect(Date.now() - odoo.startedAt).toBeGreaterThanOrEqual(1_800);
    const output = await logs(odoo.container);
    expect(output).toMatch(/ 1 ERROR \? odoo\.sql_db: Database connection failure: /);
    expect(output).not.toContain("HTTP service (werkzeug) running");
  });

  it("reports db_server_status false with 500 once PostgreSQL goes away", async () => {
    const tenant = await createTenant();
    // A TCP relay to PostgreSQL that the test can cut, standing in for a database outage.
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const upstream = net.connect(PG.port, PG.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("error", () => undefined);
        socket.on("close", () => sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, "0.0.0.0", resolve));
    const relayPort = (relay.address() as net.AddressInfo).port;
    try {
      const odoo = await start("17.0", ["--", "-d", tenant.db], [`HOST=${PG.containerHost}`, `PORT=${relayPort}`, `USER=${tenant.role}`, `PASSWORD=${tenant.password}`, "STANDIN_BOOT_SECONDS=0"]);
      await waitHealthy(odoo.url, 15_000);
      expect((await fetch(`${odoo.url}/web/health?db_server_status=1`)).status).toBe(200);
      await new Promise<void>((resolve) => {
        relay.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      const down = await fetch(`${odoo.url}/web/health?db_server_status=1`);
      expect(down.status).toBe(500);
      expect(await down.json()).toEqual({ status: "fail", db_server_status: false });
      expect((await fetch(`${odoo.url}/web/health`)).status).toBe(200);
    } finally {
      relay.close();
    }
  });

  it("simulates failures: crash-on-boot exits 1 after the boot delay, never-healthy answers 503", async () => {
    const tenant = await createTenant();
    const [crash, sick] = await Promise.all([
      start("17.0", ["--", "-d", tenant.db], dbEnv(tenant, ["STANDIN_MODE=crash-on-boot", "STANDIN_BOOT_SECONDS=0.5"])),
      start("17.0", ["--", "-d", tenant.db], dbEnv(tenant, ["STANDIN_MODE=never-healthy", "STANDIN_BOOT_SECONDS=0"])),
    ]);
    expect(await waitExit(crash.container, 10_000)).toBe(1);
    expect(await logs(crash.container)).toMatch(/ ERROR \? odoo\.standin: /);

    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = await fetch(`${sick.url}/web/health`).then((response) => response.status, () => 0);
      if (status !== 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(503);
  });
});
