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
      dbEnv(tenant, ["STANDIN_BOOT_SECONDS=1", "STANDIN_INIT_SECONDS_PER_MODULE=0.2"]),
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

  it("--stop-after-init: -i initialises without serving and exits 0, without -i exits 0 at once, a failed init exits 255 with an ERROR line", async () => {
    const [plain, demo, broken] = await Promise.all([createTenant(), createTenant(), createTenant()]);
    const volume = await createVolume();
    // A table in the way: Odoo's init fails on it too (the database does not look initialised).
    await asTenant(broken, (client) => client.query("CREATE TABLE res_partner (id integer)"));
    const fast = ["STANDIN_BOOT_SECONDS=0", "STANDIN_INIT_SECONDS_PER_MODULE=0.2"];
    const [init, initDemo, failing] = await Promise.all([
      start("17.0", ["--", "-d", plain.db, "-i", "base", "--without-demo=all", "--stop-after-init"], dbEnv(plain, fast), { volume }),
      start("17.0", ["--", "-d", demo.db, "-i", "base", "--stop-after-init"], dbEnv(demo, fast)),
      start("17.0", ["--", "-d", broken.db, "-i", "base", "--stop-after-init"], dbEnv(broken, fast)),
    ]);
    expect(await waitExit(init.container, 20_000)).toBe(0);
    expect(await waitExit(initDemo.container, 20_000)).toBe(0);
    expect(await waitExit(failing.container, 20_000)).toBe(255);
    const initLog = await logs(init.container);
    expect(initLog).toContain(`INFO ${plain.db} odoo.modules.loading: init db`);
    expect(initLog).not.toContain("HTTP service (werkzeug) running");
    const failLog = await logs(failing.container);
    expect(failLog).toMatch(new RegExp(` CRITICAL ${broken.db} odoo\\.service\\.server: Failed to initialize database`));
    expect(failLog).toMatch(new RegExp(` ERROR ${broken.db} odoo\\.service\\.server: .*res_partner`));
    expect(await asTenant(broken, async (client) => (await client.query("SELECT to_regclass('ir_module_module') AS t")).rows[0]?.t)).toBeNull();

    // Without -i on the initialised database: loads it and exits 0, nothing re-initialised.
    const again = await start("17.0", ["--", "-d", plain.db, "--stop-after-init"], dbEnv(plain, ["STANDIN_BOOT_SECONDS=0"]), { volume });
    expect(await waitExit(again.container, 10_000)).toBe(0);
    const againLog = await logs(again.container);
    expect(againLog).toContain(`INFO ${plain.db} odoo.modules.loading: Modules loaded.`);
    expect(againLog).not.toContain("init db");
  });

  it("-i base leaves what real Odoo 17 leaves: 11 modules, admin/admin, My Company, web.base.url, 9 filestore files", async () => {
    const [plain, demo] = await Promise.all([createTenant(), createTenant()]);
    const volume = await createVolume();
    const fast = ["STANDIN_BOOT_SECONDS=0", "STANDIN_INIT_SECONDS_PER_MODULE=0.2"];
    const [init, initDemo] = await Promise.all([
      start("17.0", ["--", "-d", plain.db, "-i", "base", "--without-demo=all", "--stop-after-init"], dbEnv(plain, fast), { volume }),
      start("17.0", ["--", "-d", demo.db, "-i", "base", "--stop-after-init"], dbEnv(demo, fast)),
    ]);
    expect(await waitExit(init.container, 20_000)).toBe(0);
    expect(await waitExit(initDemo.container, 20_000)).toBe(0);

    const rows = async (tenant: Tenant) =>
      asTenant(tenant, async (client) => ({
        installed: (await client.query("SELECT name, latest_version, demo FROM ir_module_module WHERE state = 'installed' ORDER BY name")).rows,
        uninstalled: (await client.query("SELECT name, latest_version FROM ir_module_module WHERE state <> 'installed' ORDER BY name")).rows,
        params: Object.fromEntries(
          (await client.query<{ key: string; value: string }>("SELECT key, value FROM ir_config_parameter ORDER BY key")).rows.map((row) => [row.key, row.value]),
        ),
        users: (await client.query("SELECT id, login, active, partner_id, company_id, share FROM res_users ORDER BY id")).rows,
        partners: (await client.query("SELECT id, name, email, is_company, active FROM res_partner ORDER BY id")).rows,
        companies: (await client.query("SELECT id, name, email, partner_id FROM res_company ORDER BY id")).rows,
        adminPassword: (await client.query<{ password: string }>("SELECT password FROM res_users WHERE id = 2")).rows[0]?.password,
        attachments: (await client.query("SELECT res_model, res_field, res_id, store_fname, checksum, file_size FROM ir_attachment ORDER BY id")).rows,
      }));
    const db = await rows(plain);
    expect(db.installed).toEqual(
      ["auth_totp", "base", "base_import", "base_import_module", "base_setup", "bus", "iap", "web", "web_editor", "web_tour", "web_unsplash"].map((name) => ({
        name,
        latest_version: expect.stringMatching(/^17\.0\.\d+\.\d+$/),
        demo: false,
      })),
    );
    expect(db.uninstalled.map((row: { name: string }) => row.name)).toContain("sale_management");
    for (const row of db.uninstalled as { latest_version: string | null }[]) expect(row.latest_version).toBeNull();
    expect(Object.keys(db.params)).toEqual([
      "base.login_cooldown_after",
      "base.login_cooldown_duration",
      "database.create_date",
      "database.secret",
      "database.uuid",
      "web.base.url",
    ]);
    expect(db.params["web.base.url"]).toBe("http://localhost:8069");
    expect(db.params["database.uuid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(db.params["database.secret"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(db.params["database.create_date"]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(db.users).toEqual([
      { id: 1, login: "__system__", active: false, partner_id: 2, company_id: 1, share: false },
      { id: 2, login: "admin", active: true, partner_id: 3, company_id: 1, share: false },
    ]);
    expect(db.partners).toEqual([
      { id: 1, name: "My Company", email: null, is_company: true, active: true },
      { id: 2, name: "OdooBot", email: "odoobot@example.com", is_company: false, active: true },
      { id: 3, name: "Administrator", email: "admin@example.com", is_company: false, active: true },
    ]);
    expect(db.companies).toEqual([{ id: 1, name: "My Company", email: null, partner_id: 1 }]);
    expect(db.adminPassword).toMatch(/^\$pbkdf2-sha512\$600000\$[A-Za-z0-9./]{22}\$[A-Za-z0-9./]{86}$/);
    expect(db.attachments).toHaveLength(9);
    const checksums = (db.attachments as { store_fname: string; checksum: string; file_size: number }[]).map((row) => {
      expect(row.store_fname).toBe(`${row.checksum.slice(0, 2)}/${row.checksum}`);
      return row.checksum;
    });
    expect(new Set(checksums).size).toBe(9);

    const withDemo = await rows(demo);
    for (const row of withDemo.installed as { demo: boolean }[]) expect(row.demo).toBe(true);
    expect(withDemo.users).toEqual([
      { id: 1, login: "__system__", active: false, partner_id: 2, company_id: 1, share: false },
      { id: 2, login: "admin", active: true, partner_id: 3, company_id: 1, share: false },
      { id: 6, login: "demo", active: true, partner_id: 7, company_id: 1, share: false },
    ]);
    expect(withDemo.partners).toContainEqual({ id: 3, name: "Mitchell Admin", email: "admin@yourcompany.example.com", is_company: false, active: true });
    expect(withDemo.companies).toEqual([{ id: 1, name: "YourCompany", email: "info@yourcompany.com", partner_id: 1 }]);
    expect(withDemo.params["database.uuid"]).not.toBe(db.params["database.uuid"]);

    // The files, read inside a container on the same volume: content matches each checksum, and
    // each has the empty checklist marker Odoo's _file_write leaves for its garbage collector.
    const odoo = await start("17.0", ["--", "-d", plain.db, `--db-filter=^${plain.db}$`], dbEnv(plain, ["STANDIN_BOOT_SECONDS=0"]), { volume });
    await waitHealthy(odoo.url, 15_000);
    const listScript = `
      const fs = require("fs"), path = require("path"), crypto = require("crypto");
      const root = process.argv[1], out = [];
      for (const dir of fs.readdirSync(root).sort()) for (const name of fs.readdirSync(path.join(root, dir)).sort()) {
        const file = path.join(root, dir, name);
        if (fs.statSync(file).isDirectory()) for (const inner of fs.readdirSync(file).sort()) out.push(dir + "/" + name + "/" + inner + " " + fs.statSync(path.join(file, inner)).size);
        else out.push(dir + "/" + name + " " + crypto.createHash("sha1").update(fs.readFileSync(file)).digest("hex"));
      }
      process.stdout.write(out.join("\\n"));`;
    const listing = await execIn(odoo.container, ["node", "-e", listScript, `/var/lib/odoo/filestore/${plain.db}`]);
    expect(listing.exitCode).toBe(0);
    const lines = listing.output.split("\n");
    const files = lines.filter((line) => !line.startsWith("checklist/"));
    expect(files.sort()).toEqual(checksums.map((sum) => `${sum.slice(0, 2)}/${sum} ${sum}`).sort());
    expect(lines.filter((line) => line.startsWith("checklist/")).sort()).toEqual(checksums.map((sum) => `checklist/${sum.slice(0, 2)}/${sum} 0`).sort());

    // POST /standin/attachment: one more row and file, like a user's upload.
    const content = `user data ${randomBytes(8).toString("hex")}`;
    const response = await fetch(`${odoo.url}/standin/attachment?name=note.txt`, { method: "POST", body: content });
    expect(response.status).toBe(200);
    const created = (await response.json()) as { id: number; sha1: string; store_fname: string };
    expect(created.sha1).toBe(sha1(content));
    const hashScript = "process.stdout.write(require('crypto').createHash('sha1').update(require('fs').readFileSync(process.argv[1])).digest('hex'))";
    const extra = await execIn(odoo.container, ["node", "-e", hashScript, `/var/lib/odoo/filestore/${plain.db}/${created.store_fname}`]);
    expect(extra).toEqual({ exitCode: 0, output: created.sha1 });
    const after = await rows(plain);
    expect(after.params["database.uuid"]).toBe(db.params["database.uuid"]);
    expect((after.attachments as { checksum: string }[]).map((row) => row.checksum)).toEqual([...checksums, created.sha1]);
    expect(await logs(odoo.container)).not.toContain("init db");
  });

  it("-i takes STANDIN_INIT_SECONDS_PER_MODULE per requested module, /web/health waits for it, an initialised database boots in 0.5 s", async () => {
    const [one, bundle, serving] = await Promise.all([createTenant(), createTenant(), createTenant()]);
    const knob = (seconds: number) => ["STANDIN_BOOT_SECONDS=0", `STANDIN_INIT_SECONDS_PER_MODULE=${seconds}`];
    const [base, big, served] = await Promise.all([
      start("17.0", ["--", "-d", one.db, "-i", "base", "--without-demo=all", "--stop-after-init"], dbEnv(one, knob(0.6))),
      start("17.0", ["--", "-d", bundle.db, "-i", "base,sale_management,crm", "--without-demo=all", "--stop-after-init"], dbEnv(bundle, knob(0.6))),
      start("17.0", ["--", "-d", serving.db, `--db-filter=^${serving.db}$`, "-i", "base,crm", "--without-demo=all"], dbEnv(serving, knob(1))),
    ]);

    // The serving one: a /web/health sent while the database is still empty is answered only
    // once the install (2 units of 1 s) has committed.
    const initialized = () =>
      asTenant(serving, async (client) => (await client.query("SELECT to_regclass('ir_module_module') IS NOT NULL AS t")).rows[0]?.t === true);
    let answered: { status: number; sentWhileEmpty: boolean; at: number } | undefined;
    while (!answered && Date.now() - served.startedAt < 20_000) {
      const sentWhileEmpty = !(await initialized());
      try {
        const response = await fetch(`${served.url}/web/health`, { signal: AbortSignal.timeout(15_000) });
        answered = { status: response.status, sentWhileEmpty, at: Date.now() };
        await response.arrayBuffer();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50)); // not listening yet
      }
    }
    expect(answered).toMatchObject({ status: 200, sentWhileEmpty: true });
    expect(await initialized()).toBe(true);
    expect(answered!.at - served.startedAt).toBeGreaterThanOrEqual(2_000);
    const crm = await asTenant(serving, async (client) => (await client.query("SELECT state FROM ir_module_module WHERE name = 'crm'")).rows[0]?.state);
    expect(crm).toBe("installed");

    expect(await waitExit(base.container, 20_000)).toBe(0);
    expect(await waitExit(big.container, 20_000)).toBe(0);
    const durations: number[] = [];
    for (const odoo of [base, big]) {
      const info = await odoo.container.inspect();
      durations.push(Date.parse(info.State.FinishedAt) - Date.parse(info.State.StartedAt));
    }
    // base alone is 1 unit; base + 2 more modules is 3 units.
    expect(durations[0]).toBeGreaterThanOrEqual(600);
    expect(durations[1]).toBeGreaterThanOrEqual(1_800);
    const loadedIn = (text: string) => Number(/ odoo\.modules\.loading: (\d+) modules loaded in ([\d.]+)s/.exec(text)?.[2]);
    expect(loadedIn(await logs(base.container))).toBeGreaterThanOrEqual(0.6);
    expect(loadedIn(await logs(big.container))).toBeGreaterThanOrEqual(1.8);
    const bundleModules = await asTenant(bundle, async (client) =>
      (await client.query<{ name: string }>("SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name")).rows.map((row) => row.name),
    );
    expect(bundleModules).toHaveLength(13);
    expect(bundleModules).toEqual(expect.arrayContaining(["base", "crm", "sale_management", "web"]));

    // An initialised database with the default knobs: the boot delay is 0.5 s and nothing is installed.
    const boot = await start("17.0", ["--", "-d", one.db, `--db-filter=^${one.db}$`], dbEnv(one));
    await waitHealthy(boot.url, 15_000);
    expect(Date.now() - boot.startedAt).toBeGreaterThanOrEqual(450);
    const bootLog = await logs(boot.container);
    expect(bootLog).toContain("boot 0.5s, init 2s per module");
    expect(bootLog).not.toContain("init db");
  });

  it("logs in like Odoo 17: common.login/authenticate and the /web/login form against pbkdf2-sha512 hashes, active users only", async () => {
    const tenant = await createTenant();
    const volume = await createVolume();
    const init = await start(
      "17.0",
      ["--", "-d", tenant.db, "-i", "base", "--without-demo=all", "--stop-after-init"],
      dbEnv(tenant, ["STANDIN_BOOT_SECONDS=0", "STANDIN_INIT_SECONDS_PER_MODULE=0.2"]),
      { volume },
    );
    expect(await waitExit(init.container, 20_000)).toBe(0);
    const odoo = await start("17.0", ["--", "-d", tenant.db, `--db-filter=^${tenant.db}$`, "--no-database-list"], dbEnv(tenant, ["STANDIN_BOOT_SECONDS=0"]), { volume });
    await waitHealthy(odoo.url, 15_000);
    const sql = (text: string, values: unknown[] = []) => asTenant(tenant, (client) => client.query(text, values));
    const common = async (method: string, params: Parameters<typeof methodCall>[1]) => {
      const reply = await xmlrpc(odoo.url, "common", method, params);
      expect(reply.fault).toBe(false);
      return reply.fault ? undefined : reply.value;
    };
    const login = (user: string, password: string) => common("login", [tenant.db, user, password]);
    const param = async (key: string) => (await sql("SELECT value FROM ir_config_parameter WHERE key = $1", [key])).rows[0]?.value;

    // Right after init: admin/admin.
    expect(await login("admin", "admin")).toBe(2);
    expect(await common("authenticate", [tenant.db, "admin", "admin", {}])).toBe(2);
    expect(await login("admin", "Admin")).toBe(false);
    expect(await login("admin", "")).toBe(false);
    expect(await login("nobody", "admin")).toBe(false);
    expect(await login("__system__", "admin")).toBe(false);

    // The platform's SQL: another password's hash (passlib's own test vector for "password"),
    // the owner's email as login, name and email on the user's partner.
    const passlibHash = "$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww";
    await sql("UPDATE res_users SET password = $1 WHERE id = 2", [passlibHash]);
    expect(await login("admin", "admin")).toBe(false);
    expect(await login("admin", "password")).toBe(2);
    await sql("UPDATE res_users SET login = 'owner@example.com' WHERE id = 2");
    await sql("UPDATE res_partner SET name = 'Owner', email = 'owner@example.com' WHERE id = (SELECT partner_id FROM res_users WHERE id = 2)");
    expect(await login("owner@example.com", "password")).toBe(2);
    expect(await login("admin", "password")).toBe(false);

    // A deprecated plaintext value logs in once and is replaced by a 600,000-round hash.
    await sql("UPDATE res_users SET password = 'plain-s3cret' WHERE id = 2");
    expect(await login("owner@example.com", "plain-s3cret-x")).toBe(false);
    expect((await sql("SELECT password FROM res_users WHERE id = 2")).rows[0]?.password).toBe("plain-s3cret");
    expect(await login("owner@example.com", "plain-s3cret")).toBe(2);
    expect((await sql("SELECT password FROM res_users WHERE id = 2")).rows[0]?.password).toMatch(/^\$pbkdf2-sha512\$600000\$/);
    expect(await login("owner@example.com", "plain-s3cret")).toBe(2);

    // Only active users.
    await sql("UPDATE res_users SET active = false WHERE id = 2");
    expect(await login("owner@example.com", "plain-s3cret")).toBe(false);
    await sql("UPDATE res_users SET active = true WHERE id = 2");

    // authenticate() with a base_location sets web.base.url for a system user; login() does not.
    expect(await common("authenticate", [tenant.db, "owner@example.com", "plain-s3cret", { base_location: "http://rpc.example" }])).toBe(2);
    expect(await param("web.base.url")).toBe("http://rpc.example");

    // The /web/login form: GET gives a session cookie and a CSRF token bound to it.
    const form = async () => {
      const page = await fetch(`${odoo.url}/web/login`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      expect(cookie).toMatch(/^session_id=.+/);
      expect(html).toContain(`name="db" value="${tenant.db}"`);
      return { cookie, csrf: /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? "" };
    };
    const post = (cookie: string, fields: Record<string, string>) =>
      fetch(`${odoo.url}/web/login`, {
        method: "POST",
        redirect: "manual",
        headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });
    const first = await form();
    expect(first.csrf).toMatch(/^[0-9a-f]{40}o\d+$/);
    const noToken = await post(first.cookie, { login: "owner@example.com", password: "plain-s3cret" });
    expect(noToken.status).toBe(400);
    expect(await noToken.text()).toContain("Session expired (invalid CSRF token)");
    const otherSession = await form();
    expect((await post(otherSession.cookie, { csrf_token: first.csrf, login: "owner@example.com", password: "plain-s3cret" })).status).toBe(400);
    for (const [user, password] of [["admin", "admin"], ["owner@example.com", "wrong"]] as const) {
      const refused = await post(first.cookie, { csrf_token: first.csrf, login: user, password, redirect: "" });
      expect(refused.status).toBe(200);
      expect(refused.headers.get("location")).toBeNull();
      expect(await refused.text()).toContain("Wrong login/password");
    }
    const accepted = await post(first.cookie, { csrf_token: first.csrf, login: "owner@example.com", password: "plain-s3cret", redirect: "" });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe("/web");
    const session = (accepted.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(session).toMatch(/^session_id=.+/);
    expect(session).not.toBe(first.cookie); // rotated at login
    const web = await fetch(`${odoo.url}/web`, { headers: { Cookie: session }, redirect: "manual" });
    expect(web.status).toBe(200);
    expect(await web.text()).toContain('data-uid="2"');
    expect((await fetch(`${odoo.url}/web`, { headers: { Cookie: first.cookie }, redirect: "manual" })).status).toBe(303);
    // The admin's web login set web.base.url to the URL it came from...
    expect(await param("web.base.url")).toBe(`http://127.0.0.1:${odoo.port}`);
    // ...which web.base.url.freeze prevents.
    await sql("UPDATE ir_config_parameter SET value = 'https://acme.example.com' WHERE key = 'web.base.url'");
    await sql("INSERT INTO ir_config_parameter (key, value) VALUES ('web.base.url.freeze', 'True')");
    const second = await form();
    const again = await post(second.cookie, { csrf_token: second.csrf, login: "owner@example.com", password: "plain-s3cret", redirect: "https://evil.example/" });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/web"); // local redirects only
    expect(await param("web.base.url")).toBe("https://acme.example.com");
    expect(await logs(odoo.container)).toContain(`Login successful for db:${tenant.db} login:owner@example.com`);
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
