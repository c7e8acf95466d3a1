// ContainerRuntime on the Docker Engine API through dockerode: Docker in production, podman's
// compatible service in development and CI. Every method inspects and acts, branching on the
// engine's "not found" (404) and "nothing to do" (304) answers only, plus the two places where
// podman 4.3 says the same with a 500 and a fixed message (see isNameConflict, isContainerGone);
// any other error is thrown so a job fails visibly instead of guessing. Errors carry names and
// the engine's answer, never the request body (env holds the database password).
import type Docker from "dockerode";
import {
  ContainerNotFoundError,
  LABEL,
  type ContainerEvent,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerState,
  type WatchEventsOptions,
} from "./container-runtime";
import { followEvents, type EventStream } from "./docker-events";
import { demuxLogs, logLines, stateFromInspect, stateFromListEntry, toCreateOptions } from "./docker-mapping";

const NOT_MODIFIED = 304;
const NOT_FOUND = 404;
const CONFLICT = 409;
/** containerLogs never returns more than this many lines. */
export const MAX_LOG_LINES = 2000;
/** How many containers listManagedContainers inspects at once (only those that may be OOM kills). */
const INSPECT_CONCURRENCY = 8;

function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown })?.statusCode;
  return typeof code === "number" ? code : undefined;
}

function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown })?.message;
  return typeof message === "string" ? message : "";
}

/**
 * A second create with a taken name: Docker answers 409; podman 4.3 answers 500 with "the
 * container name ... is already in use". Only that exact situation is treated as a conflict.
 */
function isNameConflict(error: unknown): boolean {
  const code = statusCode(error);
  return code === CONFLICT || (code === 500 && /name .* is already in use/i.test(errorMessage(error)));
}

/**
 * "No such container". Docker always says 404; podman 4.3 says 500 "container <id> does not
 * exist in database: no such container" when the container is removed while it looks it up.
 */
function isContainerGone(error: unknown): boolean {
  const code = statusCode(error);
  return code === NOT_FOUND || (code === 500 && /no such container/i.test(errorMessage(error)));
}

/** Runs the action; an error `expected` recognises means there was nothing to do. */
async function ignoring(expected: (error: unknown) => boolean, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!expected(error)) throw error;
  }
}

const hasStatus =
  (...codes: number[]) =>
  (error: unknown) => {
    const code = statusCode(error);
    return code !== undefined && codes.includes(code);
  };

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index] as T);
      }
    }),
  );
  return results;
}

export class DockerRuntime implements ContainerRuntime {
  constructor(private readonly docker: Docker) {}

  async version() {
    const info = await this.docker.version();
    return { version: info.Version, apiVersion: info.ApiVersion };
  }

  async hasImage(reference: string): Promise<boolean> {
    try {
      await this.docker.getImage(reference).inspect();
      return true;
    } catch (error) {
      // Only "no such image" means absent; anything else is a real failure.
      if (statusCode(error) === NOT_FOUND) return false;
      throw error;
    }
  }

  /** Whether the volume exists: exactly this name (inspect does not match prefixes). */
  private async volumeExists(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).inspect();
      return true;
    } catch (error) {
      if (statusCode(error) === NOT_FOUND) return false;
      throw error;
    }
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    if (await this.volumeExists(name)) return;
    try {
      await this.docker.createVolume({ Name: name, Labels: labels });
    } catch (error) {
      // Docker returns the existing volume, but podman 4.3 answers a create that loses a race
      // with 500 "volume already exists". Accept that only when the volume is really there now.
      if (await this.volumeExists(name)) return;
      throw error;
    }
  }

  async removeVolume(name: string): Promise<void> {
    // Inspect first: podman 4.3's DELETE /volumes/{name} falls back to a unique *prefix* match,
    // so removing an absent "odoo-data-abc" would delete "odoo-data-abcd". Inspect is exact.
    if (!(await this.volumeExists(name))) return;
    // 409 (still used by a container) is a real problem for the caller, so only 404 is absorbed.
    await ignoring(hasStatus(NOT_FOUND), () => this.docker.getVolume(name).remove());
  }

  /** The raw inspect answer, null on 404. */
  private async inspectRaw(nameOrId: string): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await this.docker.getContainer(nameOrId).inspect();
    } catch (error) {
      if (isContainerGone(error)) return null;
      throw error;
    }
  }

  async ensureContainer(spec: ContainerSpec, options: { stopTimeoutSeconds?: number } = {}) {
    const wanted = spec.labels[LABEL.specHash];
    if (!wanted) throw new Error(`container spec ${spec.name} has no ${LABEL.specHash} label`);
    for (const volume of spec.volumes) await this.ensureVolume(volume.name, volume.labels);

    // Inspect, act, and on a lost race (another run created the name meanwhile) look again.
    // Three rounds are plenty: each round either returns or removes a stale container.
    for (let round = 1; ; round++) {
      const existing = await this.inspectRaw(spec.name);
      if (existing) {
        if (existing.Config.Labels?.[LABEL.specHash] === wanted) return { id: existing.Id, created: false };
        // Stale spec (first boot finished, new plan, rotated password...). Stop gracefully so
        // Odoo finishes its requests, then remove by id: if another run has already replaced
        // it, the new container is left alone. Named volumes stay; the anonymous ones go.
        const stale = this.docker.getContainer(existing.Id);
        await ignoring(
          (error) => statusCode(error) === NOT_MODIFIED || isContainerGone(error),
          () => stale.stop({ t: options.stopTimeoutSeconds ?? 10 }),
        );
        await ignoring(isContainerGone, () => stale.remove({ force: true, v: true }));
      }
      try {
        const container = await this.docker.createContainer(toCreateOptions(spec));
        return { id: container.id, created: true };
      } catch (error) {
        if (!isNameConflict(error) || round >= 3) throw error;
      }
    }
  }

  private async onContainer(name: string, action: (container: Docker.Container) => Promise<unknown>): Promise<void> {
    try {
      await action(this.docker.getContainer(name));
    } catch (error) {
      if (statusCode(error) === NOT_MODIFIED) return; // already in the wanted state
      if (isContainerGone(error)) throw new ContainerNotFoundError(name);
      throw error;
    }
  }

  async startContainer(name: string): Promise<void> {
    await this.onContainer(name, (c) => c.start());
  }

  async stopContainer(name: string, timeoutSeconds: number): Promise<void> {
    await this.onContainer(name, (c) => c.stop({ t: timeoutSeconds }));
  }

  async restartContainer(name: string, timeoutSeconds: number): Promise<void> {
    await this.onContainer(name, (c) => c.restart({ t: timeoutSeconds }));
  }

  async removeContainer(name: string): Promise<void> {
    // v: the image declares VOLUMEs (/mnt/extra-addons); without it each recreate leaks one.
    await ignoring(isContainerGone, () => this.docker.getContainer(name).remove({ force: true, v: true }));
  }

  async runToCompletion(spec: ContainerSpec, options: { timeoutSeconds: number; logLines?: number }) {
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(toCreateOptions(spec));
    } catch (error) {
      if (!isNameConflict(error)) throw error;
      // A run a crash interrupted left its container: replace it.
      await this.removeContainer(spec.name);
      container = await this.docker.createContainer(toCreateOptions(spec));
    }
    try {
      await container.start();
      // Waiting for "not running" after the start also sees an exit that came first (a wait
      // before the start would return at once: a created container is not running either).
      const exited = container.wait({ condition: "not-running" }) as Promise<{ StatusCode?: number }>;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), options.timeoutSeconds * 1000);
      });
      const outcome = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
      const timedOut = outcome === "timeout";
      if (timedOut) await ignoring((error) => statusCode(error) === NOT_MODIFIED || isContainerGone(error), () => container.kill());
      const exitCode = !timedOut && typeof outcome === "object" && typeof outcome.StatusCode === "number" ? outcome.StatusCode : null;
      // The log tail tells why a run failed; a clean run needs no extra call.
      const logs = exitCode === 0 ? [] : await this.containerLogs(container.id, options.logLines ?? 50).catch(() => []);
      return { exitCode, timedOut, logs };
    } finally {
      await this.removeContainer(container.id);
    }
  }

  async inspectContainer(name: string): Promise<ContainerState | null> {
    const info = await this.inspectRaw(name);
    return info ? stateFromInspect(info) : null;
  }

  async listManagedContainers(): Promise<ContainerState[]> {
    const entries = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`] } });
    const states = entries
      .filter((entry) => entry.Labels?.[LABEL.managed] === "true" && entry.Labels?.[LABEL.role] !== "task")
      .map(stateFromListEntry);
    // The list has no OOM flag. 137 (SIGKILL) is the only exit an OOM kill produces, and few
    // containers sit there, so only those are inspected; one removed meanwhile keeps its list data.
    return mapLimit(states, INSPECT_CONCURRENCY, async (state) => {
      if (state.exitCode !== 137) return state;
      const info = await this.inspectRaw(state.id);
      return info ? stateFromInspect(info) : state;
    });
  }

  async readArchive(name: string, path: string): Promise<NodeJS.ReadableStream | null> {
    const info = await this.inspectRaw(name);
    if (!info) throw new ContainerNotFoundError(name);
    try {
      return await this.docker.getContainer(info.Id).getArchive({ path });
    } catch (error) {
      if (isContainerGone(error)) {
        // 404 is both "no such container" and "no such path": tell them apart.
        if (!(await this.inspectRaw(name))) throw new ContainerNotFoundError(name);
        return null;
      }
      throw error;
    }
  }

  async writeArchive(name: string, path: string, tar: NodeJS.ReadableStream): Promise<void> {
    const info = await this.inspectRaw(name);
    if (!info) throw new ContainerNotFoundError(name);
    await this.docker.getContainer(info.Id).putArchive(tar, { path });
  }

  async containerLogs(name: string, tail: number): Promise<string[]> {
    const lines = Math.min(MAX_LOG_LINES, Math.max(1, Math.floor(tail)));
    const info = await this.inspectRaw(name);
    if (!info) throw new ContainerNotFoundError(name);
    const container = this.docker.getContainer(info.Id);
    let raw: Buffer;
    try {
      raw = await container.logs({ stdout: true, stderr: true, follow: false, tail: lines });
    } catch (error) {
      if (isContainerGone(error)) throw new ContainerNotFoundError(name);
      throw error;
    }
    const text = info.Config.Tty ? raw.toString("utf8") : demuxLogs(raw);
    return logLines(text, lines);
  }

  watchEvents(onEvent: (event: ContainerEvent) => void, options: WatchEventsOptions): Promise<void> {
    const open = async (since: number | undefined, signal: AbortSignal): Promise<EventStream> => {
      const query: Docker.GetEventsOptions & { abortSignal: AbortSignal } = {
        ...(since === undefined ? {} : { since }),
        filters: { type: ["container"], label: [`${LABEL.managed}=true`] },
        // docker-modem takes it out of the query and hands it to the HTTP request.
        abortSignal: signal,
      };
      return (await this.docker.getEvents(query)) as EventStream;
    };
    return followEvents(open, onEvent, options);
  }
}
