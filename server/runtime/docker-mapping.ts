// Pure translations between the platform's engine-neutral types and the Docker Engine API's
// JSON (as Docker and podman's compatible service send it). Kept apart from the I/O so the
// odd cases (podman's list fields, zero times, multiplexed logs) have unit tests.
import type Docker from "dockerode";
import { LABEL, type ContainerSpec, type ContainerState, type ContainerStatus } from "./container-runtime";

export function toCreateOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const portKey = (port: number) => `${port}/tcp`;
  const portBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const published of spec.publishedPorts) {
    (portBindings[portKey(published.containerPort)] ??= []).push({
      HostIp: published.hostIp,
      HostPort: String(published.hostPort),
    });
  }
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.args,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: spec.labels,
    // Without a TTY the engine keeps stdout and stderr apart (multiplexed logs).
    Tty: false,
    ExposedPorts: Object.fromEntries(spec.exposedPorts.map((port) => [portKey(port), {}])),
    HostConfig: {
      // Structured mounts rather than "name:/path" bind strings: nothing to parse or escape.
      Mounts: spec.volumes.map((volume) => ({
        Type: "volume" as const,
        Source: volume.name,
        Target: volume.target,
        ReadOnly: volume.readOnly,
      })),
      PortBindings: portBindings,
      NanoCpus: spec.limits.nanoCpus,
      Memory: spec.limits.memoryBytes,
      // Equal to Memory: no swap on top. Swap would hide an instance outgrowing its plan (and
      // slow the host) instead of ending in a visible OOM kill.
      MemorySwap: spec.limits.memoryBytes,
      RestartPolicy: { Name: spec.restartPolicy },
      ...(spec.network ? { NetworkMode: spec.network } : {}),
    },
    ...(spec.network ? { NetworkingConfig: { EndpointsConfig: { [spec.network]: {} } } } : {}),
  };
}

const STATUSES: Record<string, ContainerStatus> = {
  created: "created",
  running: "running",
  paused: "paused",
  restarting: "restarting",
  removing: "removing",
  exited: "exited",
  dead: "dead",
  // podman's own state names, in case its compatible API lets one through.
  configured: "created",
  initialized: "created",
  stopping: "running",
  stopped: "exited",
};

export function normaliseStatus(state: string | undefined): ContainerStatus {
  return STATUSES[(state ?? "").toLowerCase()] ?? "unknown";
}

/** Docker's zero time ("0001-01-01T00:00:00Z") and unparsable values mean "never". */
export function engineTime(value: string | undefined): Date | null {
  if (!value || value.startsWith("0001-01-01")) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The exit code from a list entry's human text, "Exited (137) 2 seconds ago" (Docker and podman). */
export function exitCodeFromStatusText(text: string | undefined): number | null {
  const match = /^Exited \((-?\d+)\)/i.exec(text ?? "");
  return match ? Number(match[1]) : null;
}

const stripSlash = (name: string) => name.replace(/^\//, "");
const nonEmpty = (value: string | undefined | null) => (value ? value : null);

function firstNetworkAddress(networks: Record<string, { IPAddress?: string }> | undefined): string | null {
  const first = Object.values(networks ?? {})[0];
  return nonEmpty(first?.IPAddress);
}

export function stateFromInspect(info: Docker.ContainerInspectInfo): ContainerState {
  const status = normaliseStatus(info.State.Status);
  const labels = info.Config.Labels ?? {};
  // The platform publishes at most one TCP port per container: the first TCP binding is it.
  const binding = Object.entries(info.NetworkSettings.Ports ?? {}).find(
    ([port, bindings]) => port.endsWith("/tcp") && (bindings?.length ?? 0) > 0,
  )?.[1]?.[0];
  const hostPort = Number(binding?.HostPort);
  return {
    id: info.Id,
    name: stripSlash(info.Name),
    instanceId: nonEmpty(labels[LABEL.instanceId]),
    running: status === "running",
    status,
    exitCode: status === "exited" || status === "dead" ? info.State.ExitCode : null,
    oomKilled: info.State.OOMKilled === true,
    startedAt: engineTime(info.State.StartedAt),
    finishedAt: status === "running" ? null : engineTime(info.State.FinishedAt),
    hostPort: Number.isInteger(hostPort) && hostPort > 0 ? hostPort : null,
    // Older engines also report the default bridge's address at the top level.
    ipAddress:
      firstNetworkAddress(info.NetworkSettings.Networks) ?? nonEmpty((info.NetworkSettings as { IPAddress?: string }).IPAddress),
    specHash: nonEmpty(labels[LABEL.specHash]),
  };
}

/**
 * From a GET /containers/json entry. The list carries state, the status text (where the exit
 * code is), ports, labels and networks, but no OOM flag and no start/finish times: those stay
 * false/null here (listManagedContainers inspects the few containers where it matters).
 */
export function stateFromListEntry(entry: Docker.ContainerInfo): ContainerState {
  const status = normaliseStatus(entry.State);
  const labels = entry.Labels ?? {};
  const port = entry.Ports?.find((p) => p.Type === "tcp" && p.PublicPort);
  const networks = entry.NetworkSettings?.Networks as Record<string, { IPAddress?: string }> | undefined;
  return {
    id: entry.Id,
    name: stripSlash(entry.Names?.[0] ?? ""),
    instanceId: nonEmpty(labels[LABEL.instanceId]),
    running: status === "running",
    status,
    exitCode: status === "exited" ? exitCodeFromStatusText(entry.Status) : null,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    hostPort: port?.PublicPort ?? null,
    ipAddress: firstNetworkAddress(networks),
    specHash: nonEmpty(labels[LABEL.specHash]),
  };
}

/**
 * Log output of a container without a TTY is multiplexed: frames of an 8-byte header (stream
 * 0/1/2, three zero bytes, big-endian length) and the payload. Anything that does not parse as
 * frames (a TTY container, a truncated tail) is kept as plain text.
 */
export function demuxLogs(buffer: Buffer): string {
  const payloads: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buffer.length) {
    const stream = buffer[at];
    if ((stream !== 0 && stream !== 1 && stream !== 2) || buffer[at + 1] !== 0 || buffer[at + 2] !== 0 || buffer[at + 3] !== 0) break;
    const size = buffer.readUInt32BE(at + 4);
    payloads.push(buffer.subarray(at + 8, Math.min(at + 8 + size, buffer.length)));
    at += 8 + size;
  }
  if (at < buffer.length) payloads.push(buffer.subarray(at));
  // Decode once: a character split across two frames stays whole.
  return Buffer.concat(payloads).toString("utf8");
}

/** Text to lines, without the empty line after a final newline; keeps at most `tail`. */
export function logLines(text: string, tail: number): string[] {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  if (lines.at(-1) === "") lines.pop();
  return lines.slice(-tail);
}
