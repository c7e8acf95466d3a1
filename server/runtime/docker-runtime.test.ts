// The branching of DockerRuntime against a scripted engine: which answers mean "nothing to do",
// which mean "absent", and that everything else is thrown. The real engine is covered by
// docker-runtime.int.test.ts; this pins the cases a live engine rarely produces on demand.
import type Docker from "dockerode";
import { describe, expect, it, vi } from "vitest";
import { ContainerNotFoundError, LABEL, type ContainerSpec } from "./container-runtime";
import { DockerRuntime } from "./docker-runtime";

const engineError = (statusCode: number, message = `HTTP ${statusCode}`) => Object.assign(new Error(message), { statusCode });
const notFound = () => engineError(404, "(HTTP code 404) no such container");

const spec: ContainerSpec = {
  name: "odoo-i1",
  image: "odoo:17.0",
  args: ["--"],
  env: { PASSWORD: "secret" },
  labels: { [LABEL.managed]: "true", [LABEL.instanceId]: "i1", [LABEL.specHash]: "want" },
  volumes: [{ name: "odoo-data-i1", target: "/var/lib/odoo", readOnly: false, labels: {} }],
  exposedPorts: [8069],
  publishedPorts: [],
  network: null,
  limits: { nanoCpus: 1e9, memoryBytes: 256 * 1024 * 1024 },
  restartPolicy: "unless-stopped",
};

const inspectInfo = (id: string, hash: string | undefined, extra: object = {}) => ({
  Id: id,
  Name: "/odoo-i1",
  State: { Status: "exited", Running: false, OOMKilled: false, ExitCode: 0, StartedAt: "", FinishedAt: "" },
  Config: { Labels: hash ? { [LABEL.specHash]: hash } : {}, Tty: false },
  NetworkSettings: { Ports: {}, Networks: {} },
  ...extra,
});

type Call = (...args: unknown[]) => Promise<unknown>;

function fakeContainer() {
  return {
    inspect: vi.fn<Call>(async () => {
      throw notFound();
    }),
    start: vi.fn<Call>(async () => undefined),
    stop: vi.fn<Call>(async () => undefined),
    restart: vi.fn<Call>(async () => undefined),
    remove: vi.fn<Call>(async () => undefined),
    logs: vi.fn<Call>(async () => Buffer.alloc(0)),
  };
}

/** A dockerode stand-in: per-container handlers keyed by name or id. */
function fakeEngine() {
  const containers = new Map<string, ReturnType<typeof fakeContainer>>();
  const container = (key: string) => {
    let c = containers.get(key);
    if (!c) {
      c = fakeContainer();
      containers.set(key, c);
    }
    return c;
  };
  const volume = { inspect: vi.fn<Call>(async () => ({})), remove: vi.fn<Call>(async () => undefined) };
  const docker = {
    getContainer: vi.fn((key: string) => container(key)),
    createContainer: vi.fn<Call>(async () => ({ id: "new-id" })),
    getVolume: vi.fn(() => volume),
    createVolume: vi.fn<Call>(async () => ({})),
    listContainers: vi.fn<Call>(async () => []),
  };
  return { docker, container, volume, runtime: new DockerRuntime(docker as unknown as Docker) };
}

describe("DockerRuntime.ensureContainer", () => {
  it("keeps a container whose spec hash matches", async () => {
    const e = fakeEngine();
    e.container("odoo-i1").inspect.mockResolvedValue(inspectInfo("old-id", "want"));
    expect(await e.runtime.ensureContainer(spec)).toEqual({ id: "old-id", created: false });
    expect(e.docker.createContainer).not.toHaveBeenCalled();
  });

  it("replaces a stale one: graceful stop, removal by id with anonymous volumes, then create", async () => {
    const e = fakeEngine();
    e.container("odoo-i1").inspect.mockResolvedValue(inspectInfo("old-id", "stale"));
    expect(await e.runtime.ensureContainer(spec, { stopTimeoutSeconds: 7 })).toEqual({ id: "new-id", created: true });
    expect(e.container("old-id").stop).toHaveBeenCalledWith({ t: 7 });
    expect(e.container("old-id").remove).toHaveBeenCalledWith({ force: true, v: true });
    expect(e.container("odoo-i1").remove).not.toHaveBeenCalled(); // never by name: could hit a newer one
    expect(e.docker.createContainer).toHaveBeenCalledWith(expect.objectContaining({ name: "odoo-i1", Labels: spec.labels }));
  });

  it("creates the missing volume before the container", async () => {
    const e = fakeEngine();
    e.volume.inspect.mockRejectedValueOnce(engineError(404));
    await e.runtime.ensureContainer(spec);
    expect(e.docker.createVolume).toHaveBeenCalledWith({ Name: "odoo-data-i1", Labels: {} });
  });

  it.each([
    ["Docker's 409", engineError(409, "(HTTP code 409) Conflict. The container name is already in use")],
    ["podman's 500", engineError(500, '(HTTP code 500) server error - ... the container name "odoo-i1" is already in use by 5dbd...')],
  ])("after losing the create race (%s) returns the winner's container", async (_label, conflict) => {
    const e = fakeEngine();
    e.container("odoo-i1").inspect.mockRejectedValueOnce(notFound()).mockResolvedValue(inspectInfo("winner", "want"));
    e.docker.createContainer.mockRejectedValueOnce(conflict);
    expect(await e.runtime.ensureContainer(spec)).toEqual({ id: "winner", created: false });
  });

  it("rethrows any other create failure, without retrying", async () => {
    const e = fakeEngine();
    e.docker.createContainer.mockRejectedValue(engineError(500, "no space left on device"));
    await expect(e.runtime.ensureContainer(spec)).rejects.toThrow("no space left on device");
    expect(e.docker.createContainer).toHaveBeenCalledTimes(1);
  });

  it("never creates when inspect fails for another reason than absence", async () => {
    const e = fakeEngine();
    e.container("odoo-i1").inspect.mockRejectedValue(engineError(500, "database is locked"));
    await expect(e.runtime.ensureContainer(spec)).rejects.toThrow("database is locked");
    expect(e.docker.createContainer).not.toHaveBeenCalled();
  });

  it("refuses a spec without a spec hash", async () => {
    const e = fakeEngine();
    await expect(e.runtime.ensureContainer({ ...spec, labels: {} })).rejects.toThrow(/saas.spec-hash/);
  });
});

describe("DockerRuntime actions", () => {
  it("start/stop: 304 is success, 404 is ContainerNotFoundError, others are thrown", async () => {
    const e = fakeEngine();
    const c = e.container("odoo-i1");
    c.start.mockRejectedValueOnce(engineError(304));
    await e.runtime.startContainer("odoo-i1");
    c.stop.mockRejectedValueOnce(engineError(304));
    await e.runtime.stopContainer("odoo-i1", 5);
    expect(c.stop).toHaveBeenCalledWith({ t: 5 });
    c.start.mockRejectedValueOnce(notFound());
    await expect(e.runtime.startContainer("odoo-i1")).rejects.toBeInstanceOf(ContainerNotFoundError);
    c.restart.mockRejectedValueOnce(engineError(500, "OCI runtime error"));
    await expect(e.runtime.restartContainer("odoo-i1", 5)).rejects.toThrow("OCI runtime error");
  });

  it("treats podman's 500 'no such container' as absent", async () => {
    const e = fakeEngine();
    e.container("odoo-i1").inspect.mockRejectedValue(engineError(500, "container 9257 does not exist in database: no such container"));
    expect(await e.runtime.inspectContainer("odoo-i1")).toBeNull();
  });

  it("removeContainer: force + anonymous volumes; absent is fine, a conflict is not", async () => {
    const e = fakeEngine();
    const c = e.container("odoo-i1");
    c.remove.mockRejectedValueOnce(notFound());
    await e.runtime.removeContainer("odoo-i1");
    expect(c.remove).toHaveBeenCalledWith({ force: true, v: true });
    c.remove.mockRejectedValueOnce(engineError(409, "removal already in progress"));
    await expect(e.runtime.removeContainer("odoo-i1")).rejects.toThrow("removal already in progress");
  });

  it("removeVolume inspects first (podman's DELETE matches name prefixes) and keeps 409", async () => {
    const e = fakeEngine();
    e.volume.inspect.mockRejectedValueOnce(engineError(404));
    await e.runtime.removeVolume("odoo-data-i1");
    expect(e.volume.remove).not.toHaveBeenCalled();
    e.volume.remove.mockRejectedValueOnce(engineError(409, "volume is being used"));
    await expect(e.runtime.removeVolume("odoo-data-i1")).rejects.toThrow("volume is being used");
  });

  it("ensureVolume accepts a lost create race only when the volume is there afterwards", async () => {
    const e = fakeEngine();
    e.volume.inspect.mockRejectedValueOnce(engineError(404)).mockResolvedValueOnce({});
    e.docker.createVolume.mockRejectedValueOnce(engineError(500, "volume already exists"));
    await e.runtime.ensureVolume("v", {});
    e.volume.inspect.mockRejectedValueOnce(engineError(404)).mockRejectedValueOnce(engineError(404));
    e.docker.createVolume.mockRejectedValueOnce(engineError(500, "disk full"));
    await expect(e.runtime.ensureVolume("v", {})).rejects.toThrow("disk full");
  });

  it("containerLogs caps the tail at 2000 and reports absence", async () => {
    const e = fakeEngine();
    const c = e.container("odoo-i1");
    c.inspect.mockResolvedValue(inspectInfo("cid", "want"));
    e.container("cid").logs.mockResolvedValue(Buffer.from("a\nb\n"));
    expect(await e.runtime.containerLogs("odoo-i1", 1_000_000)).toEqual(["a", "b"]);
    expect(e.container("cid").logs).toHaveBeenCalledWith(expect.objectContaining({ tail: 2000, stdout: true, stderr: true }));
    c.inspect.mockRejectedValue(notFound());
    await expect(e.runtime.containerLogs("odoo-i1", 10)).rejects.toBeInstanceOf(ContainerNotFoundError);
  });
});

describe("DockerRuntime.listManagedContainers", () => {
  it("uses one list call and inspects only containers that exited with 137", async () => {
    const e = fakeEngine();
    const entry = (id: string, state: string, status: string) => ({
      Id: id,
      Names: [`/odoo-${id}`],
      Labels: { [LABEL.managed]: "true", [LABEL.instanceId]: id },
      State: state,
      Status: status,
      Ports: [],
      NetworkSettings: { Networks: {} },
    });
    e.docker.listContainers.mockResolvedValue([
      entry("a", "running", "Up 2 minutes"),
      entry("b", "exited", "Exited (0) 1 minute ago"),
      entry("c", "exited", "Exited (137) 3 seconds ago"),
      { ...entry("d", "running", "Up"), Labels: { [LABEL.managed]: "false" } },
    ]);
    e.container("c").inspect.mockResolvedValue(
      inspectInfo("c", undefined, {
        Name: "/odoo-c",
        State: { Status: "exited", Running: false, OOMKilled: true, ExitCode: 137, StartedAt: "2026-01-01T00:00:00Z", FinishedAt: "2026-01-01T00:01:00Z" },
      }),
    );
    const states = await e.runtime.listManagedContainers();
    expect(e.docker.listContainers).toHaveBeenCalledTimes(1);
    expect(e.docker.listContainers).toHaveBeenCalledWith({ all: true, filters: { label: ["saas.managed=true"] } });
    expect(states.map((s) => [s.name, s.status, s.exitCode, s.oomKilled])).toEqual([
      ["odoo-a", "running", null, false],
      ["odoo-b", "exited", 0, false],
      ["odoo-c", "exited", 137, true],
    ]);
    expect(e.container("a").inspect).not.toHaveBeenCalled();
    expect(e.container("b").inspect).not.toHaveBeenCalled();
  });
});
