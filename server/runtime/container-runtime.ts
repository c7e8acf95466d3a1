// What the platform needs from a container engine (the worker drives containers, the web reads
// logs and health), in the platform's own words. No dockerode types
// here: docker-runtime.ts translates to the Docker Engine API (Docker, or podman's compatible
// service), and a fake or another engine can implement the same interface.

/** Labels the platform puts on everything it creates, so sweeps can find and match them. */
export const LABEL = {
  managed: "saas.managed",
  instanceId: "saas.instance-id",
  series: "saas.series",
  /** Hash of the whole container spec; a different value means the container must be recreated. */
  specHash: "saas.spec-hash",
  /**
   * "task" on a one-shot container (runToCompletion): it belongs to its instance but is not the
   * instance's container, so lists and event streams leave it out.
   */
  role: "saas.role",
} as const;

/** A named volume mounted into the container (the instance's data, e.g. /var/lib/odoo). */
export interface VolumeMount {
  name: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly: boolean;
  /** Labels the volume gets if ensureContainer has to create it. */
  labels: Record<string, string>;
}

/** A container TCP port published on the engine's host. */
export interface PublishedPort {
  containerPort: number;
  /** 0 lets the engine pick a free port; read the result back with inspectContainer. */
  hostPort: number;
  /** Host address to bind ("" = every interface). */
  hostIp: string;
}

export type RestartPolicy = "no" | "always" | "unless-stopped" | "on-failure";

/** Everything needed to create one container; built by pure functions such as domain/instances/odoo-container-spec.ts. */
export interface ContainerSpec {
  name: string;
  /** Full reference, repository:tag. */
  image: string;
  /** Arguments handed to the image's entrypoint (Docker's "Cmd"). Never a shell string. */
  args: string[];
  /** Holds secrets (the database password): never log a spec. */
  env: Record<string, string>;
  /** Must contain LABEL.specHash; ensureContainer compares it with the running container's. */
  labels: Record<string, string>;
  volumes: VolumeMount[];
  /** Container TCP ports the image serves on. */
  exposedPorts: number[];
  publishedPorts: PublishedPort[];
  /** Network to attach to; null = the engine's default bridge. */
  network: string | null;
  limits: {
    /** CPU quota in billionths of a CPU (1.5 CPUs = 1_500_000_000). */
    nanoCpus: number;
    /** Memory limit in bytes; swap is not added on top. */
    memoryBytes: number;
  };
  restartPolicy: RestartPolicy;
}

export type ContainerStatus =
  | "created"
  | "running"
  | "paused"
  | "restarting"
  | "removing"
  | "exited"
  | "dead"
  | "unknown";

/** A container as the platform sees it. */
export interface ContainerState {
  id: string;
  name: string;
  /** From LABEL.instanceId; null for a container without it. */
  instanceId: string | null;
  running: boolean;
  status: ContainerStatus;
  /** Set once the container has exited (status exited or dead), else null. */
  exitCode: number | null;
  /** null when unknown: container lists do not carry it (inspect does). */
  oomKilled: boolean | null;
  /** null when never started, or unknown (container lists do not carry it). */
  startedAt: Date | null;
  /** null when it has not finished yet, or unknown (container lists do not carry it). */
  finishedAt: Date | null;
  /**
   * Host port of the container's published TCP port (the platform publishes at most one), null
   * when none is published. Docker assigns a "0" port at
   * each start (it can change after a restart); podman assigns it at create. Read it again after
   * every start instead of storing it once.
   */
  hostPort: number | null;
  /** Address on the first network the container is attached to; null when not running. */
  ipAddress: string | null;
  /** From LABEL.specHash. */
  specHash: string | null;
}

/**
 * Normalised event actions. Engines differ: Docker sends kill, die, stop on a stop and destroy on
 * removal; podman 4.3 sends die (no stop event) and remove, which is reported here as destroy.
 */
export type ContainerEventAction =
  | "create"
  | "start"
  | "restart"
  | "kill"
  | "die"
  | "stop"
  | "oom"
  | "destroy"
  | "pause"
  | "unpause"
  | "health_status"
  | (string & {});

export interface ContainerEvent {
  instanceId: string;
  containerId: string;
  containerName: string | null;
  action: ContainerEventAction;
  /** Only on die. */
  exitCode?: number;
  time: Date;
}

export interface WatchEventsOptions {
  /** Stops watching (and any pending reconnect) when aborted. */
  signal: AbortSignal;
  /**
   * Called each time the event stream is (re)connected. Events that happened while disconnected
   * are replayed where the engine keeps them, but a caller that must not miss anything should
   * reconcile against listManagedContainers() here.
   */
  onConnect?: (info: { reconnect: boolean }) => void;
  /** Stream and callback failures (the watcher keeps going); defaults to console.error. */
  onError?: (error: unknown) => void;
  /** Reconnect backoff; defaults 250 ms doubling to 10 s. */
  backoff?: { initialMs: number; maxMs: number };
}

/** Thrown when an action needs a container that does not exist. */
export class ContainerNotFoundError extends Error {
  constructor(readonly containerName: string) {
    super(`container ${containerName} does not exist`);
    this.name = "ContainerNotFoundError";
  }
}

/**
 * Every method is idempotent: it inspects and acts, treating only "not found" as absence (any
 * other engine error is thrown), so a retried job converges instead of failing or duplicating.
 */
export interface ContainerRuntime {
  /** The engine's product version, e.g. "28.2.2" (Docker) or "4.3.1" (podman). */
  version(): Promise<{ version: string; apiVersion: string }>;
  /** Whether an image reference (repo:tag) exists locally. */
  hasImage(reference: string): Promise<boolean>;

  /** Creates the named volume unless it exists (an existing volume keeps its labels). */
  ensureVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes the named volume; an absent one is fine, one in use is an error. */
  removeVolume(name: string): Promise<void>;

  /**
   * Makes a container named spec.name match the spec: keeps an existing one whose spec-hash
   * label equals the spec's, otherwise stops and removes it (its named volumes stay) and creates
   * it anew; creates the spec's volumes first if missing. Does not start it: start when created
   * is true, or when the returned container is not running.
   */
  ensureContainer(spec: ContainerSpec, options?: { stopTimeoutSeconds?: number }): Promise<{ id: string; created: boolean }>;
  /** Starts it; already running is fine. ContainerNotFoundError when absent. */
  startContainer(name: string): Promise<void>;
  /** SIGTERM, then SIGKILL after the timeout; already stopped is fine. ContainerNotFoundError when absent. */
  stopContainer(name: string, timeoutSeconds: number): Promise<void>;
  /** Stops (as above) and starts; starts a stopped one. ContainerNotFoundError when absent. */
  restartContainer(name: string, timeoutSeconds: number): Promise<void>;
  /** Force-removes it with its anonymous volumes (named volumes stay); absent is fine. */
  removeContainer(name: string): Promise<void>;

  /**
   * Runs a one-shot container (a task such as initialising a database) to its end: creates it
   * (replacing a leftover of the same name, a run a crash interrupted), starts it, waits for it
   * to exit (at most timeoutSeconds, then kills it) and removes it; the last log lines come
   * back when it did not exit 0. The spec's volumes must exist. It should carry
   * LABEL.role = "task".
   */
  runToCompletion(spec: ContainerSpec, options: { timeoutSeconds: number; logLines?: number }): Promise<{ exitCode: number | null; timedOut: boolean; logs: string[] }>;

  /** null when absent. */
  inspectContainer(name: string): Promise<ContainerState | null>;
  /** Every container labelled saas.managed=true, in any state, from one list call (tasks left out). */
  listManagedContainers(): Promise<ContainerState[]>;
  /**
   * A tar stream of the path inside the container (running or stopped), entries prefixed with the
   * path's last component; null when the path does not exist. ContainerNotFoundError when absent.
   */
  readArchive(name: string, path: string): Promise<NodeJS.ReadableStream | null>;
  /** Extracts a tar stream into the directory `path` of the container (running or stopped). */
  writeArchive(name: string, path: string, tar: NodeJS.ReadableStream): Promise<void>;
  /** The last `tail` log lines (1..2000), stdout and stderr interleaved. ContainerNotFoundError when absent. */
  containerLogs(name: string, tail: number): Promise<string[]>;
  /**
   * Follows the engine's events for containers labelled saas.managed=true until the signal
   * aborts, reconnecting with backoff when the stream ends or fails. Resolves after the abort.
   */
  watchEvents(onEvent: (event: ContainerEvent) => void, options: WatchEventsOptions): Promise<void>;
}
