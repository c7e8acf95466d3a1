import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import {
  demuxLogs,
  engineTime,
  exitCodeFromStatusText,
  logLines,
  normaliseStatus,
  stateFromInspect,
  stateFromListEntry,
  toCreateOptions,
} from "./docker-mapping";
import { buildOdooContainerSpec } from "@/server/domain/instances/odoo-container-spec";

const spec = buildOdooContainerSpec({
  instance: {
    id: "inst1",
    odooVersion: "17.0",
    subdomain: "acme",
    demoData: false,
    customAddons: [],
    envVars: { TZ: "UTC" },
    cpuLimit: 0.5,
    memoryMb: 512,
  },
  database: { host: "db", port: 5432, name: "acme", user: "acme", password: "pw=with=equals" },
  image: "odoo",
  firstBoot: false,
  routing: { kind: "ports" },
});

describe("toCreateOptions", () => {
  it("maps the spec onto the Docker create body", () => {
    const options = toCreateOptions(spec);
    expect(options).toMatchObject({
      name: "odoo-inst1",
      Image: "odoo:17.0",
      Cmd: spec.args,
      Labels: spec.labels,
      Tty: false,
      ExposedPorts: { "8069/tcp": {} },
      HostConfig: {
        Mounts: [{ Type: "volume", Source: "odoo-data-inst1", Target: "/var/lib/odoo", ReadOnly: false }],
        PortBindings: { "8069/tcp": [{ HostIp: "127.0.0.1", HostPort: "0" }] },
        NanoCpus: 500_000_000,
        Memory: 512 * 1024 * 1024,
        MemorySwap: 512 * 1024 * 1024,
        RestartPolicy: { Name: "unless-stopped" },
      },
    });
    // One array item per variable: '=' in a value stays in the value.
    expect(options.Env).toEqual(["TZ=UTC", "HOST=db", "PORT=5432", "USER=acme", "PASSWORD=pw=with=equals"]);
    expect(options.HostConfig?.NetworkMode).toBeUndefined();
    expect(options.NetworkingConfig).toBeUndefined();
  });

  it("attaches to the spec's network", () => {
    const options = toCreateOptions({ ...spec, network: "edge", publishedPorts: [] });
    expect(options.HostConfig?.NetworkMode).toBe("edge");
    expect(options.NetworkingConfig).toEqual({ EndpointsConfig: { edge: {} } });
    expect(options.HostConfig?.PortBindings).toEqual({});
  });
});

describe("engine answers", () => {
  it("normalises states and times", () => {
    expect(normaliseStatus("running")).toBe("running");
    expect(normaliseStatus("Exited")).toBe("exited");
    expect(normaliseStatus("configured")).toBe("created");
    expect(normaliseStatus("weird")).toBe("unknown");
    expect(engineTime("0001-01-01T00:00:00Z")).toBeNull();
    expect(engineTime("2026-11-23T07:03:37.581039708Z")?.toISOString()).toBe("2026-11-23T07:03:37.581Z");
    expect(engineTime("")).toBeNull();
  });

  it("reads the exit code from the list's status text", () => {
    expect(exitCodeFromStatusText("Exited (137) Less than a second ago")).toBe(137);
    expect(exitCodeFromStatusText("Exited (0) 5 minutes ago")).toBe(0);
    expect(exitCodeFromStatusText("Up 3 seconds")).toBeNull();
    expect(exitCodeFromStatusText("Created")).toBeNull();
    expect(exitCodeFromStatusText(undefined)).toBeNull();
  });

  // Trimmed from podman 4.3's GET /containers/json (see the integration test for the live one).
  const listEntry = (state: string, status: string, ports: Docker.Port[], ip = "10.88.0.126") =>
    ({
      Id: "abc",
      Names: ["/odoo-inst1"],
      Image: "odoo:17.0",
      Labels: { "saas.managed": "true", "saas.instance-id": "inst1", "saas.spec-hash": "h1" },
      State: state,
      Status: status,
      Ports: ports,
      NetworkSettings: { Networks: { podman: { IPAddress: ip } } },
    }) as unknown as Docker.ContainerInfo;

  it("maps a running list entry", () => {
    expect(stateFromListEntry(listEntry("running", "Up 1 second", [{ IP: "127.0.0.1", PrivatePort: 8069, PublicPort: 40263, Type: "tcp" }]))).toEqual({
      id: "abc",
      name: "odoo-inst1",
      instanceId: "inst1",
      running: true,
      status: "running",
      exitCode: null,
      oomKilled: false,
      startedAt: null,
      finishedAt: null,
      hostPort: 40263,
      ipAddress: "10.88.0.126",
      specHash: "h1",
    });
  });

  it("maps an exited list entry (Docker drops the ports, podman keeps them)", () => {
    const state = stateFromListEntry(listEntry("exited", "Exited (137) 1 second ago", [], ""));
    expect(state).toMatchObject({ running: false, status: "exited", exitCode: 137, hostPort: null, ipAddress: null });
  });

  it("maps an inspect answer", () => {
    const info = {
      Id: "abc",
      Name: "/odoo-inst1",
      State: {
        Status: "exited",
        Running: false,
        OOMKilled: true,
        ExitCode: 137,
        StartedAt: "2026-11-23T07:01:55.82863896Z",
        FinishedAt: "2026-11-23T07:02:00Z",
      },
      Config: { Labels: { "saas.instance-id": "inst1", "saas.spec-hash": "h1" } },
      NetworkSettings: { Ports: {}, Networks: { podman: { IPAddress: "" } } },
    } as unknown as Docker.ContainerInspectInfo;
    expect(stateFromInspect(info)).toEqual({
      id: "abc",
      name: "odoo-inst1",
      instanceId: "inst1",
      running: false,
      status: "exited",
      exitCode: 137,
      oomKilled: true,
      startedAt: new Date("2026-11-23T07:01:55.828Z"),
      finishedAt: new Date("2026-11-23T07:02:00Z"),
      hostPort: null,
      ipAddress: null,
      specHash: "h1",
    });
  });

  it("reports no exit code for a container that never ran", () => {
    const info = {
      Id: "abc",
      Name: "/x",
      State: { Status: "created", Running: false, OOMKilled: false, ExitCode: 0, StartedAt: "0001-01-01T00:00:00Z", FinishedAt: "0001-01-01T00:00:00Z" },
      Config: { Labels: null },
      NetworkSettings: { Ports: { "8069/tcp": [{ HostIp: "", HostPort: "41000" }] }, Networks: {} },
    } as unknown as Docker.ContainerInspectInfo;
    expect(stateFromInspect(info)).toMatchObject({ status: "created", exitCode: null, startedAt: null, hostPort: 41000, instanceId: null, specHash: null });
  });
});

describe("logs", () => {
  const frame = (stream: number, text: string | Buffer) => {
    const payload = typeof text === "string" ? Buffer.from(text) : text;
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it("demultiplexes stdout and stderr frames in order", () => {
    const buffer = Buffer.concat([frame(1, "hello\n"), frame(2, "err\n"), frame(1, "bye\n")]);
    expect(demuxLogs(buffer)).toBe("hello\nerr\nbye\n");
  });

  it("keeps a UTF-8 character split across frames whole", () => {
    const bytes = Buffer.from("zażółć\n");
    expect(demuxLogs(Buffer.concat([frame(1, bytes.subarray(0, 3)), frame(1, bytes.subarray(3))]))).toBe("zażółć\n");
  });

  it("treats non-multiplexed output (TTY) as text", () => {
    expect(demuxLogs(Buffer.from("plain line\nsecond\n"))).toBe("plain line\nsecond\n");
    expect(demuxLogs(Buffer.alloc(0))).toBe("");
  });

  it("splits lines and keeps the tail", () => {
    expect(logLines("a\r\nb\nc\n", 2000)).toEqual(["a", "b", "c"]);
    expect(logLines("a\nb\nc\n", 2)).toEqual(["b", "c"]);
    expect(logLines("", 10)).toEqual([]);
    expect(logLines("no newline", 10)).toEqual(["no newline"]);
  });
});
