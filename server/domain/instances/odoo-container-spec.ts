// Pure: (instance, database, image, routing) -> the container spec for one customer's Odoo.
// It follows the official image's contract (contract odoo.md, sections C.1-C.6): database
// settings through HOST/PORT/USER/PASSWORD, Odoo flags after "--", data in /var/lib/odoo, HTTP on
// 8069. Every value that reaches a label, a regex or an argument is validated here, because the
// builder is the last line before the engine (input validation may change, this must not).
import { createHash } from "node:crypto";
import { LABEL, type ContainerSpec, type VolumeMount } from "../../runtime/container-runtime";
import { isPlatformEnvKey } from "./schemas";

export const ODOO_HTTP_PORT = 8069;
/** Odoo's gevent (websocket) port; only listens when workers > 0 (odoo.md C.4). */
export const ODOO_GEVENT_PORT = 8072;
export const ODOO_DATA_DIR = "/var/lib/odoo";

/** The deterministic names, so every job and sweep finds the same resources again. */
export const odooContainerName = (instanceId: string) => `odoo-${instanceId}`;
export const odooVolumeName = (instanceId: string) => `odoo-data-${instanceId}`;
/** The one-shot container that initialises an instance's database before it is served. */
export const odooInitContainerName = (instanceId: string) => `odoo-init-${instanceId}`;

/** The spec plus a direct handle on the data volume (also the only entry of `volumes`). */
export interface OdooContainerSpec extends ContainerSpec {
  volume: VolumeMount;
}

export interface OdooSpecInput {
  instance: {
    id: string;
    /** The Odoo series, "17.0". */
    odooVersion: string;
    /** Needed for traefik routing; null once an instance is deleted. */
    subdomain: string | null;
    demoData: boolean;
    /** Module names installed with base on first boot. */
    customAddons: string[];
    envVars: Record<string, string>;
    /** CPUs, fractions allowed. */
    cpuLimit: number;
    memoryMb: number;
    /**
     * Odoo worker processes; 0 (default, the image's default) is threaded mode where everything,
     * websocket included, is served on 8069. Above 0, /websocket must go to 8072 (odoo.md C.4).
     */
    workers?: number;
  };
  database: {
    /** As containers reach it (host.containers.internal, a service name...). */
    host: string;
    port: number;
    name: string;
    user: string;
    password: string;
  };
  /** Repository without tag, e.g. "odoo" or "localhost/odoo-standin"; the tag is the series. */
  image: string;
  /** Adds -i base[,addons] (and the demo flag): the container that initialises the database. */
  firstBoot: boolean;
  routing:
    | {
        kind: "ports";
        /**
         * Host address 8069 is published on; default 127.0.0.1. Odoo runs with --proxy-mode
         * (it trusts X-Forwarded-*), so it must not be reachable from outside except through a
         * proxy; pass "" (every interface) only when the platform reaches the engine remotely.
         */
        hostIp?: string;
      }
    | { kind: "traefik"; network: string; baseDomain: string; entrypoint: string; certResolver?: string };
}

export class OdooSpecInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OdooSpecInputError";
  }
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Whether a customer may set this environment variable: a well-formed name that is not one of
 * the platform's (schemas.ts holds the one list). The create-instance validation refuses them
 * already; the spec drops them again, whatever reached the database.
 */
export function isCustomerEnvKeyAllowed(key: string): boolean {
  return ENV_KEY.test(key) && !isPlatformEnvKey(key);
}

const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SERIES = /^(\d{2})\.0$/;
/** Odoo's DBNAME_PATTERN; also keeps a leading "-" (an option) out of the arguments. */
const DB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const MODULE = /^[a-z][a-z0-9_]{0,63}$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const NAME_TOKEN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const TRAEFIK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const IMAGE_REPOSITORY = /^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*$/;
const HOST_NAME = /^[A-Za-z0-9._:-]{1,253}$/;

function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new OdooSpecInputError(message);
}

function isDomain(value: string): boolean {
  return value.length <= 253 && value.split(".").every((label) => DNS_LABEL.test(label));
}

/** Odoo's --db-filter is a regex: escape the name so "." matches only itself. */
function dbFilter(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}

/** JSON with object keys sorted at every level, so equal specs always give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The spec-hash label. It covers the whole spec (image, args, env, labels, volumes, ports,
 * network, limits, restart policy) so any change forces a recreate. The password is part of
 * it too, because a rotated password only takes effect in a new container (env is fixed at
 * create), but only as a salted digest: the label never carries the password, and the outer
 * hash over the whole canonical spec gives nothing to test guesses against without the rest.
 */
export function computeSpecHash(spec: ContainerSpec, secretEnvKeys: readonly string[]): string {
  const env: Record<string, string> = { ...spec.env };
  for (const key of secretEnvKeys) {
    const value = env[key];
    if (value !== undefined) {
      env[key] = `sha256:${createHash("sha256").update("odoo-saas spec-hash secret\0").update(value).digest("hex")}`;
    }
  }
  const labels = { ...spec.labels };
  delete labels[LABEL.specHash];
  // Field by field: extra properties of a subtype (OdooContainerSpec.volume) must not count twice.
  const material = {
    name: spec.name,
    image: spec.image,
    args: spec.args,
    env,
    labels,
    volumes: spec.volumes,
    exposedPorts: spec.exposedPorts,
    publishedPorts: spec.publishedPorts,
    network: spec.network,
    limits: spec.limits,
    restartPolicy: spec.restartPolicy,
  } satisfies Record<keyof ContainerSpec, unknown>;
  return createHash("sha256").update(canonicalJson(material)).digest("hex");
}

function traefikLabels(
  id: string,
  subdomain: string,
  routing: Extract<OdooSpecInput["routing"], { kind: "traefik" }>,
  workers: number,
): Record<string, string> {
  const router = `odoo-${id}`;
  const host = `Host(\`${subdomain}.${routing.baseDomain}\`)`;
  const labels: Record<string, string> = {
    "traefik.enable": "true",
    // The container may sit on several networks; tell Traefik which one reaches it.
    "traefik.docker.network": routing.network,
  };
  const addRouter = (name: string, rule: string, port: number) => {
    labels[`traefik.http.routers.${name}.rule`] = rule;
    labels[`traefik.http.routers.${name}.entrypoints`] = routing.entrypoint;
    labels[`traefik.http.routers.${name}.service`] = name;
    labels[`traefik.http.services.${name}.loadbalancer.server.port`] = String(port);
    if (routing.certResolver) {
      labels[`traefik.http.routers.${name}.tls`] = "true";
      labels[`traefik.http.routers.${name}.tls.certresolver`] = routing.certResolver;
    }
  };
  addRouter(router, host, ODOO_HTTP_PORT);
  // With workers the websocket is served by the gevent process on 8072 only; in threaded mode
  // 8072 is closed and /websocket is answered on 8069, so a second router would break it.
  // Traefik's default priority is the rule length, so the longer websocket rule wins.
  if (workers > 0) addRouter(`${router}-websocket`, `${host} && PathPrefix(\`/websocket\`)`, ODOO_GEVENT_PORT);
  return labels;
}

export function buildOdooContainerSpec(input: OdooSpecInput): OdooContainerSpec {
  const { instance, database, routing } = input;
  check(INSTANCE_ID.test(instance.id), "instance id must be 1-64 letters, digits, - or _");
  const series = SERIES.exec(instance.odooVersion);
  check(series !== null, `Odoo series must look like 17.0, got '${instance.odooVersion}'`);
  const major = Number(series[1]);
  check(IMAGE_REPOSITORY.test(input.image), "image must be a repository without tag or digest, e.g. odoo");
  check(DB_NAME.test(database.name), "database name must match Odoo's pattern [A-Za-z0-9][A-Za-z0-9_.-]*");
  check(NAME_TOKEN.test(database.user), "database user must be a plain role name");
  // Odoo aborts with "Using the database user 'postgres' is a security risk" (odoo.md C.2).
  check(database.user !== "postgres", "Odoo refuses the database user postgres");
  check(HOST_NAME.test(database.host), "database host must be a host name or address");
  check(Number.isInteger(database.port) && database.port > 0 && database.port < 65536, "database port must be 1-65535");
  check(database.password.length > 0 && !database.password.includes("\0"), "database password must be non-empty");
  check(Number.isFinite(instance.cpuLimit) && instance.cpuLimit > 0 && instance.cpuLimit <= 256, "cpuLimit must be > 0");
  check(Number.isInteger(instance.memoryMb) && instance.memoryMb >= 64, "memoryMb must be an integer >= 64");
  const workers = instance.workers ?? 0;
  check(Number.isInteger(workers) && workers >= 0 && workers <= 64, "workers must be an integer 0-64");
  for (const module of instance.customAddons) {
    check(MODULE.test(module), `addon names use a-z, 0-9 and _, got '${module}'`);
  }

  const id = instance.id;
  const seriesTag = instance.odooVersion;
  const ownership = { [LABEL.managed]: "true", [LABEL.instanceId]: id };

  const args = [
    "--",
    "-d",
    database.name,
    "--db-filter",
    dbFilter(database.name),
    "--no-database-list",
    "--proxy-mode",
  ];
  if (workers > 0) args.push("--workers", String(workers));
  if (input.firstBoot) {
    const modules = ["base", ...new Set(instance.customAddons.filter((m) => m !== "base"))];
    args.push("-i", modules.join(","));
    // Demo data is on by default up to 18.0 and opt-in from 19.0 (odoo.md C.5).
    if (major < 19 && !instance.demoData) args.push("--without-demo=all");
    if (major >= 19 && instance.demoData) args.push("--with-demo");
  }

  const env: Record<string, string> = {};
  for (const key of Object.keys(instance.envVars).sort()) {
    const value = instance.envVars[key];
    // A NUL cannot travel through execve; the engine would refuse the whole container.
    if (value === undefined || value.includes("\0") || !isCustomerEnvKeyAllowed(key)) continue;
    env[key] = value;
  }
  env.HOST = database.host;
  env.PORT = String(database.port);
  env.USER = database.user;
  env.PASSWORD = database.password;

  const labels: Record<string, string> = { ...ownership, [LABEL.series]: seriesTag };
  const exposedPorts = [ODOO_HTTP_PORT];
  let publishedPorts: ContainerSpec["publishedPorts"] = [];
  let network: string | null = null;
  if (routing.kind === "ports") {
    const hostIp = routing.hostIp ?? "127.0.0.1";
    check(hostIp === "" || HOST_NAME.test(hostIp), "routing.hostIp must be an address");
    publishedPorts = [{ containerPort: ODOO_HTTP_PORT, hostPort: 0, hostIp }];
  } else {
    check(instance.subdomain !== null && DNS_LABEL.test(instance.subdomain), "subdomain must be a DNS label");
    check(isDomain(routing.baseDomain), "baseDomain must be a lower-case domain name");
    check(NAME_TOKEN.test(routing.network), "network must be a network name");
    check(TRAEFIK_NAME.test(routing.entrypoint), "entrypoint must be a Traefik entrypoint name");
    check(!routing.certResolver || TRAEFIK_NAME.test(routing.certResolver), "certResolver must be a name");
    network = routing.network;
    if (workers > 0) exposedPorts.push(ODOO_GEVENT_PORT);
    Object.assign(labels, traefikLabels(id, instance.subdomain, routing, workers));
  }

  const volume: VolumeMount = { name: odooVolumeName(id), target: ODOO_DATA_DIR, readOnly: false, labels: { ...ownership } };
  const spec: OdooContainerSpec = {
    name: odooContainerName(id),
    image: `${input.image}:${seriesTag}`,
    args,
    env,
    labels,
    volumes: [volume],
    volume,
    exposedPorts,
    publishedPorts,
    network,
    limits: { nanoCpus: Math.round(instance.cpuLimit * 1e9), memoryBytes: instance.memoryMb * 1024 * 1024 },
    restartPolicy: "unless-stopped",
  };
  spec.labels[LABEL.specHash] = computeSpecHash(spec, ["PASSWORD"]);
  return spec;
}

/**
 * The one-shot container that initialises a new instance's database, privately, before the
 * serving container ever starts: the same image, database settings, environment, data volume
 * and limits, with `-i base[,addons]` and the demo choice, and `--stop-after-init` (Odoo
 * installs, commits and exits; `--load-language` for a language other than en_US). No published port, no proxy labels, no restart: nothing can
 * reach it, and it is a task, not the instance's container (LABEL.role).
 */
export function buildOdooInitSpec(input: Omit<OdooSpecInput, "firstBoot" | "routing"> & { loadLanguage?: string }): OdooContainerSpec {
  const serving = buildOdooContainerSpec({ ...input, firstBoot: true, routing: { kind: "ports" } });
  const labels: Record<string, string> = {
    [LABEL.managed]: "true",
    [LABEL.instanceId]: input.instance.id,
    [LABEL.series]: input.instance.odooVersion,
    [LABEL.role]: "task",
  };
  const spec: OdooContainerSpec = {
    ...serving,
    name: odooInitContainerName(input.instance.id),
    args: [
      ...serving.args.filter((arg) => arg !== "--proxy-mode"),
      // Odoo ships en_US; another language is loaded by the same install.
      ...(input.loadLanguage && input.loadLanguage !== "en_US" ? [`--load-language=${input.loadLanguage}`] : []),
      "--stop-after-init",
    ],
    labels,
    exposedPorts: [],
    publishedPorts: [],
    network: null,
    restartPolicy: "no",
  };
  spec.labels[LABEL.specHash] = computeSpecHash(spec, ["PASSWORD"]);
  return spec;
}
