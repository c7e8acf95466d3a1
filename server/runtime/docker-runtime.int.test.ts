// DockerRuntime against the real engine (podman's Docker API here) with the Odoo test image,
// driven by specs from buildOdooContainerSpec and a real PostgreSQL role and database made by
// the pool manager (the same approach as testing/odoo-standin/odoo-standin.int.test.ts).
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerOptions } from "@/server/runtime";
import { ContainerNotFoundError, type ContainerEvent, type ContainerSpec } from "./container-runtime";
import { demuxLogs } from "./docker-mapping";
import { DockerRuntime } from "./docker-runtime";
import { buildOdooContainerSpec, buildOdooInitSpec, type OdooSpecInput } from "@/server/domain/instances/odoo-container-spec";
import { asPoolManager } from "@/testing/instances";

const docker = new Docker(dockerOptions(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"));
const runtime = new DockerRuntime(docker);
const IMAGE = process.env.ODOO_IMAGE ?? "localhost/odoo-standin";
const PG = {
  host: process.env.POOL_DB_HOST ?? "127.0.0.1",
  containerHost: process.env.POOL_DB_CONTAINER_HOST ?? "host.containers.internal",
  port: Number(process.env.POOL_DB_PORT ?? 5432),
  user: process.env.POOL_DB_MANAGER_USER ?? "",
  password: process.env.POOL_DB_MANAGER_PASSWORD ?? "",
};

const run = randomBytes(4).toString("hex");
const ID = `rtt${run}`; // the instance every lifecycle test drives
const RACE_ID = `rtt${run}race`;
const EDGE_ID = `rtt${run}edge`;
const NETWORK = `rtt-${run}-edge`;
const tenant = { role: `rtt_${run}`, db: `rtt_${run}`, password: randomBytes(16).toString("hex") };

/** The pool manager from the environment, connected as the platform's own db-pool code does. */
const asManager = asPoolManager;

function specFor(id: string, overrides: { firstBoot?: boolean; memoryMb?: number; routing?: OdooSpecInput["routing"]; env?: Record<string, string> } = {}): ContainerSpec {
  const spec = buildOdooContainerSpec({
    instance: {
      id,
      odooVersion: "17.0",
      subdomain: "acme",
      demoData: false,
      customAddons: [],
      envVars: { STANDIN_BOOT_SECONDS: "0.2", ...overrides.env },
      cpuLimit: 0.5,
      memoryMb: overrides.memoryMb ?? 256,
    },
    database: { host: PG.containerHost, port: PG.port, name: tenant.db, user: tenant.role, password: tenant.password },
    image: IMAGE,
    firstBoot: overrides.firstBoot ?? true,
    routing: overrides.routing ?? { kind: "ports" },
  });
  // Marks test leftovers for anyone cleaning up; not part of the spec hash.
  return { ...spec, labels: { ...spec.labels, "saas.test": "true" } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, withinMs = 10_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(100);
  }
}

async function healthStatus(port: number): Promise<number | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/web/health`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

async function waitHealthy(name: string): Promise<number> {
  return eventually(`${name} healthy`, async () => {
    const state = await runtime.inspectContainer(name);
    if (!state?.hostPort) return null;
    return (await healthStatus(state.hostPort)) === 200 ? state.hostPort : null;
  });
}

async function volumeExists(name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** Runs a command (an argument array, no shell) in a running container. */
async function execIn(container: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  return demuxLogs(Buffer.concat(chunks));
}

const name = `odoo-${ID}`;
const volume = `odoo-data-${ID}`;

/** The lifecycle tests share one instance; each makes sure it is there, so any can run alone. */
async function ensureRunning(): Promise<void> {
  await runtime.ensureContainer(specFor(ID));
  await runtime.startContainer(name);
  await waitHealthy(name);
}

beforeAll(async () => {
  if (!(await runtime.hasImage(`${IMAGE}:17.0`))) {
    throw new Error(`${IMAGE}:17.0 is missing: run npx tsx scripts/build-odoo-image.ts`);
  }
  await asManager(async (client) => {
    const role = pg.escapeIdentifier(tenant.role);
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD ${pg.escapeLiteral(tenant.password)}`);
    // PG15: CREATE DATABASE ... OWNER needs membership in the role.
    await client.query(`GRANT ${role} TO CURRENT_USER`);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(tenant.db)} OWNER ${role}`);
  });
});

afterAll(async () => {
  // Everything this run may have left, found by name, whatever state the tests stopped in.
  const leftovers = await docker.listContainers({ all: true, filters: { label: ["saas.test=true"] } });
  for (const entry of leftovers.filter((c) => c.Names.some((n) => n.includes(`rtt${run}`)))) {
    await docker.getContainer(entry.Id).remove({ force: true, v: true }).catch(() => undefined);
  }
  for (const v of [`odoo-data-${ID}decoy`, ...[ID, RACE_ID, EDGE_ID].map((id) => `odoo-data-${id}`)]) {
    await docker.getVolume(v).remove().catch(() => undefined);
  }
  await docker.getNetwork(NETWORK).remove().catch(() => undefined);
  await asManager(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(tenant.db)} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(tenant.role)}`);
  });
});

describe("DockerRuntime", () => {
  it("reports absence: inspect null, removals fine, actions ContainerNotFoundError", async () => {
    expect(await runtime.inspectContainer(name)).toBeNull();
    await runtime.removeContainer(name);
    await runtime.removeVolume(volume);
    await expect(runtime.startContainer(name)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(runtime.stopContainer(name, 1)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(runtime.restartContainer(name, 1)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(runtime.containerLogs(name, 10)).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it("ensureVolume and ensureContainer are idempotent", async () => {
    const spec = specFor(ID);
    await runtime.ensureVolume(volume, { "saas.managed": "true", "saas.instance-id": ID, "saas.test": "true" });
    await runtime.ensureVolume(volume, { other: "labels are not rewritten" });
    expect((await docker.getVolume(volume).inspect()).Labels).toMatchObject({ "saas.instance-id": ID, "saas.test": "true" });

    const first = await runtime.ensureContainer(spec);
    const second = await runtime.ensureContainer(spec);
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });

    const state = await runtime.inspectContainer(name);
    expect(state).toMatchObject({
      id: first.id,
      name,
      instanceId: ID,
      running: false,
      status: "created",
      exitCode: null,
      oomKilled: false,
      startedAt: null,
      specHash: spec.labels["saas.spec-hash"],
    });
    const raw = await docker.getContainer(name).inspect();
    expect(raw.HostConfig.NanoCpus).toBe(500_000_000);
    expect(raw.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(raw.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    expect(raw.Mounts.find((m) => m.Destination === "/var/lib/odoo")?.Name).toBe(volume);
  });

  it("ensureContainer settles a race between two runs on one container", async () => {
    const spec = specFor(RACE_ID);
    const results = await Promise.all([runtime.ensureContainer(spec), runtime.ensureContainer(spec)]);
    expect(results[0].id).toBe(results[1].id);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    await runtime.removeContainer(spec.name);
    await runtime.removeVolume(`odoo-data-${RACE_ID}`);
  });

  it("starts (twice is fine), publishes 8069 and serves Odoo from the spec's arguments", async () => {
    await runtime.startContainer(name);
    await runtime.startContainer(name);
    const state = await runtime.inspectContainer(name);
    expect(state).toMatchObject({ running: true, status: "running", exitCode: null, finishedAt: null });
    expect(state?.startedAt).toBeInstanceOf(Date);
    expect(state?.hostPort).toBeGreaterThan(0);
    expect(state?.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await waitHealthy(name);
  });

  it("tails the logs as lines", async () => {
    await ensureRunning();
    const lines = await eventually("werkzeug line", async () => {
      const all = await runtime.containerLogs(name, 2000);
      return all.some((l) => l.includes("HTTP service (werkzeug) running on 0.0.0.0:8069")) ? all : null;
    });
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => !l.includes("\n"))).toBe(true);
    // Odoo may still be logging: the tail must be two consecutive lines of a later full read.
    const tail = await runtime.containerLogs(name, 2);
    const later = await runtime.containerLogs(name, 2000);
    expect(tail).toHaveLength(2);
    expect(later.some((line, i) => line === tail[0] && later[i + 1] === tail[1])).toBe(true);
  });

  it("lists managed containers from one call, with state, port and labels", async () => {
    await ensureRunning();
    const inspected = await runtime.inspectContainer(name);
    const started = performance.now();
    const all = await runtime.listManagedContainers();
    const listMs = performance.now() - started;
    const mine = all.find((c) => c.name === name);
    expect(mine).toMatchObject({
      id: inspected?.id,
      instanceId: ID,
      running: true,
      status: "running",
      hostPort: inspected?.hostPort,
      ipAddress: inspected?.ipAddress,
      specHash: inspected?.specHash,
    });
    expect(listMs).toBeLessThan(2_000);
  });

  it("watchEvents reports a kill behind our back (die + exit code) and the starts", async () => {
    await ensureRunning();
    const controller = new AbortController();
    const events: ContainerEvent[] = [];
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const watching = runtime.watchEvents((event) => event.instanceId === ID && events.push(event), {
      signal: controller.signal,
      onConnect: () => connected(),
    });
    try {
      await ready;
      const seen = (action: string, after = 0) => events.slice(after).find((e) => e.action === action);

      // Killed outside the platform, like an OOM kill or a crash.
      const { State } = await docker.getContainer(name).inspect();
      const killedAt = Date.now();
      try {
        process.kill(State.Pid, "SIGKILL");
      } catch {
        await docker.getContainer(name).kill({ signal: "SIGKILL" }); // engine in another PID namespace
      }
      const die = await eventually("die event", async () => seen("die"), 5_000);
      expect(die).toMatchObject({ instanceId: ID, containerName: name, exitCode: 137 });
      expect(Date.now() - killedAt).toBeLessThan(5_000);
      expect(Math.abs(die.time.getTime() - killedAt)).toBeLessThan(5_000);

      // unless-stopped: the engine brings it back by itself.
      await eventually("automatic restart", async () => seen("start", events.indexOf(die)), 10_000);
      await waitHealthy(name);

      const beforeStop = events.length;
      await runtime.stopContainer(name, 5);
      await eventually("die on stop", async () => seen("die", beforeStop), 5_000);
      const beforeStart = events.length;
      await runtime.startContainer(name);
      await eventually("start event", async () => seen("start", beforeStart), 5_000);
      await waitHealthy(name);
    } finally {
      controller.abort();
      await watching;
    }
  });

  it("stop and restart change the real state", async () => {
    await ensureRunning();
    const before = await runtime.inspectContainer(name);
    await runtime.stopContainer(name, 5);
    await runtime.stopContainer(name, 5); // already stopped: fine
    const stopped = await runtime.inspectContainer(name);
    expect(stopped).toMatchObject({ running: false, status: "exited", exitCode: 0, oomKilled: false });
    expect(stopped?.finishedAt).toBeInstanceOf(Date);
    if (before?.hostPort) expect(await healthStatus(before.hostPort)).not.toBe(200);

    const listed = (await runtime.listManagedContainers()).find((c) => c.name === name);
    expect(listed).toMatchObject({ running: false, status: "exited", exitCode: 0 });

    await runtime.restartContainer(name, 5);
    const restarted = await runtime.inspectContainer(name);
    expect(restarted?.running).toBe(true);
    expect(restarted?.startedAt?.getTime()).toBeGreaterThan(before?.startedAt?.getTime() ?? 0);
    await waitHealthy(name);
    await runtime.restartContainer(name, 5); // running: restarts again
    expect((await runtime.inspectContainer(name))?.startedAt?.getTime()).toBeGreaterThan(restarted?.startedAt?.getTime() ?? 0);
    await waitHealthy(name);
  });

  it("recreates the container when the spec hash changes and keeps the data volume", async () => {
    await ensureRunning();
    const old = await runtime.inspectContainer(name);
    const filestore = `/var/lib/odoo/filestore/${tenant.db}`;
    const countFiles = async () => {
      const script = `const fs = require("fs"); const d = ${JSON.stringify(filestore)}; console.log(fs.existsSync(d) ? fs.readdirSync(d).length : 0)`;
      return Number((await execIn(name, ["node", "-e", script])).trim());
    };
    // Like Odoo, /web/health answers once the first-boot install has committed; the filestore
    // files are written by then (eventually: the listing goes through a second exec).
    const filesBefore = await eventually("first-boot attachment in the filestore", countFiles);
    const volumeCreatedAt = (await docker.getVolume(volume).inspect()) as unknown as { CreatedAt: string };

    // First boot done and a bigger plan: a different spec.
    const spec = specFor(ID, { firstBoot: false, memoryMb: 320 });
    expect(spec.labels["saas.spec-hash"]).not.toBe(old?.specHash);
    const result = await runtime.ensureContainer(spec, { stopTimeoutSeconds: 5 });
    expect(result.created).toBe(true);
    expect(result.id).not.toBe(old?.id);
    await expect(docker.getContainer(old?.id ?? "").inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await runtime.ensureContainer(spec)).toEqual({ id: result.id, created: false });

    const raw = await docker.getContainer(name).inspect();
    expect(raw.HostConfig.Memory).toBe(320 * 1024 * 1024);
    expect(raw.Args).not.toContain("-i");
    expect(((await docker.getVolume(volume).inspect()) as unknown as { CreatedAt: string }).CreatedAt).toBe(volumeCreatedAt.CreatedAt);

    await runtime.startContainer(name);
    await waitHealthy(name);
    expect(await countFiles()).toBe(filesBefore);
  });

  it("traefik routing: attached to the network, nothing published", async () => {
    await docker.createNetwork({ Name: NETWORK, Labels: { "saas.test": "true" } });
    // PostgreSQL only admits the default bridge; the stand-in just keeps waiting for it here.
    const spec = specFor(EDGE_ID, {
      routing: { kind: "traefik", network: NETWORK, baseDomain: "odoo.test", entrypoint: "web" },
      env: { STANDIN_DB_WAIT_SECONDS: "60" },
    });
    await runtime.ensureContainer(spec);
    await runtime.startContainer(spec.name);
    const state = await runtime.inspectContainer(spec.name);
    expect(state).toMatchObject({ running: true, hostPort: null });
    const raw = await docker.getContainer(spec.name).inspect();
    expect(Object.keys(raw.NetworkSettings.Networks)).toEqual([NETWORK]);
    expect(state?.ipAddress).toBe(raw.NetworkSettings.Networks[NETWORK]?.IPAddress);
    expect(raw.Config.Labels[`traefik.http.routers.odoo-${EDGE_ID}.rule`]).toBe("Host(`acme.odoo.test`)");
    await runtime.removeContainer(spec.name);
    await runtime.removeVolume(`odoo-data-${EDGE_ID}`);
  });

  it("remove leaves no container and no anonymous volume; the named volume goes only when asked", async () => {
    await ensureRunning();
    const raw = await docker.getContainer(name).inspect();
    const anonymous = raw.Mounts.filter((m) => m.Type === "volume" && m.Name && m.Name !== volume).map((m) => m.Name as string);
    expect(anonymous.length).toBeGreaterThan(0); // the image's VOLUME /mnt/extra-addons

    await runtime.removeContainer(name);
    await runtime.removeContainer(name);
    expect(await runtime.inspectContainer(name)).toBeNull();
    expect((await runtime.listManagedContainers()).some((c) => c.name === name)).toBe(false);
    for (const anon of anonymous) expect(await volumeExists(anon), anon).toBe(false);
    expect(await volumeExists(volume)).toBe(true);

    // podman's volume DELETE falls back to a unique name prefix: removing the (now absent)
    // volume again must not take a longer-named neighbour with it.
    const decoy = `${volume}decoy`;
    await docker.createVolume({ Name: decoy, Labels: { "saas.test": "true" } });
    await runtime.removeVolume(volume);
    await runtime.removeVolume(volume);
    expect(await volumeExists(volume)).toBe(false);
    expect(await volumeExists(decoy)).toBe(true);
    await docker.getVolume(decoy).remove();
  });
});

describe("DockerRuntime.runToCompletion: one-shot task containers", () => {
  const TASK_ID = `rtt${run}task`;
  const taskDb = `${tenant.db}_task`;
  const slowDb = `${tenant.db}_slow`;
  const taskSpec = (database: string, env: Record<string, string> = {}) => {
    const spec = buildOdooInitSpec({
      instance: { id: TASK_ID, odooVersion: "17.0", subdomain: "acme", demoData: false, customAddons: [], envVars: env, cpuLimit: 0.5, memoryMb: 256 },
      database: { host: PG.containerHost, port: PG.port, name: database, user: tenant.role, password: tenant.password },
      image: IMAGE,
    });
    return { ...spec, labels: { ...spec.labels, "saas.test": "true" } };
  };
  const installed = async () => {
    const client = new pg.Client({ host: PG.host, port: PG.port, user: tenant.role, password: tenant.password, database: taskDb });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT count(*)::int AS n FROM ir_module_module WHERE name = 'base' AND state = 'installed'");
      return rows[0].n as number;
    } finally {
      await client.end();
    }
  };
  const exists = (containerName: string) =>
    docker
      .getContainer(containerName)
      .inspect()
      .then(() => true, () => false);

  beforeAll(async () => {
    for (const database of [taskDb, slowDb]) {
      await asManager((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} OWNER ${pg.escapeIdentifier(tenant.role)}`));
    }
  });
  afterAll(async () => {
    await runtime.removeContainer(`odoo-init-${TASK_ID}`);
    await runtime.removeVolume(`odoo-data-${TASK_ID}`);
    for (const database of [taskDb, slowDb]) {
      await asManager((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`));
    }
  });

  it("runs the database initialisation to its end and leaves no container; lists and events never show it", async () => {
    const spec = taskSpec(taskDb, { STANDIN_INIT_SECONDS_PER_MODULE: "0.3" });
    const seen: ContainerEvent[] = [];
    const watching = new AbortController();
    const watcher = runtime.watchEvents((event) => seen.push(event), { signal: watching.signal });
    const listedDuring: string[] = [];
    const running = runtime.runToCompletion(spec, { timeoutSeconds: 60 });
    // While it runs, the managed list never names it (it is a task, not the instance).
    for (let i = 0; i < 5; i++) {
      listedDuring.push(...(await runtime.listManagedContainers()).map((c) => c.name));
      await sleep(100);
    }
    const result = await running;
    watching.abort();
    await watcher;
    expect(result).toEqual({ exitCode: 0, timedOut: false, logs: [] });
    expect(await installed()).toBe(1);
    expect(await exists(spec.name)).toBe(false);
    expect(listedDuring).not.toContain(spec.name);
    expect(seen.filter((event) => event.instanceId === TASK_ID)).toEqual([]);
  });

  it("reports a failed run with its exit code, and replaces a leftover of the same name", async () => {
    const leftover = taskSpec(taskDb);
    await docker.createContainer({ name: leftover.name, Image: `${IMAGE}:17.0`, Labels: leftover.labels });
    const result = await runtime.runToCompletion(taskSpec(`${taskDb}_missing`), { timeoutSeconds: 60 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(result.exitCode).not.toBeNull();
    // The log tail of a failed run says why (the test image logs an ERROR line before exiting).
    expect(result.logs.join("\n")).toMatch(/ERROR|CRITICAL/);
    expect(await exists(leftover.name)).toBe(false);
  });

  it("stops a run that outlives its timeout and removes it", async () => {
    const started = Date.now();
    const result = await runtime.runToCompletion(taskSpec(slowDb, { STANDIN_INIT_SECONDS_PER_MODULE: "30" }), { timeoutSeconds: 1 });
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await exists(`odoo-init-${TASK_ID}`)).toBe(false);
  });
});
