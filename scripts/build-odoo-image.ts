// Builds the Odoo test image (testing/odoo-standin, a TEST FIXTURE imitating odoo:<series>)
// without a registry: a root filesystem with the host's node binary and the libraries it links,
// the stand-in bundled into /entrypoint.sh, imported through the Docker API as
// localhost/odoo-standin:<series>. Skipped per series when the image carries the same content hash.
//
//   npx tsx scripts/build-odoo-image.ts                  build/refresh (ODOO_SERIES + 16.0)
//   npx tsx scripts/build-odoo-image.ts --force          rebuild even when up to date
//   npx tsx scripts/build-odoo-image.ts --probe-official exit 0 if odoo:<series> exists or can be pulled
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { access, chmod, chown, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Docker from "dockerode";
import { build } from "esbuild";

export const STANDIN_REPOSITORY = "localhost/odoo-standin";
export const HASH_LABEL = "saas.standin.content-hash";
export const SERIES_LABEL = "saas.standin.series";
/** Fallback carrier of the hash for engines whose import rejects LABEL in `changes`. */
const HASH_ENV = "ODOO_STANDIN_CONTENT_HASH";
/** Bump when the root filesystem layout changes in a way the hashed inputs do not capture. */
const LAYOUT_VERSION = "odoo-standin-rootfs-1";
/** uid/gid of `odoo` in the official image. */
const ODOO_UID = 101;
const DEFAULT_SERIES = "17.0,18.0";
/** Same root filesystem with another baked series: costs one more import. */
const EXTRA_SERIES = ["16.0"];

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const STANDIN_DIR = path.join(REPO_ROOT, "testing", "odoo-standin");

export function standinImage(series: string): string {
  return `${STANDIN_REPOSITORY}:${series}`;
}

/** ODOO_SERIES (default 17.0,18.0) plus 16.0, validated, sorted. */
export function seriesToBuild(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const listed = (env.ODOO_SERIES || DEFAULT_SERIES).split(",").map((item) => item.trim()).filter(Boolean);
  const all = [...new Set([...listed, ...EXTRA_SERIES])];
  for (const series of all) {
    if (!/^\d{2}\.\d$/.test(series)) throw new Error(`ODOO_SERIES: '${series}' is not a series like 17.0`);
  }
  return all.sort((a, b) => Number.parseFloat(a) - Number.parseFloat(b));
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

async function inspectOrNull(docker: Docker, name: string): Promise<Docker.ImageInspectInfo | null> {
  try {
    return await docker.getImage(name).inspect();
  } catch (error) {
    if (statusCode(error) === 404) return null;
    throw error;
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
  return text;
}

/** The JSON-lines progress stream of /images/create; throws on an `error` entry. */
function progressEvents(text: string): Record<string, unknown>[] {
  const events = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { status: line };
      }
    });
  const failed = events.find((event) => event.error !== undefined || event.errorDetail !== undefined);
  if (failed) {
    const detail = failed.errorDetail as { message?: string } | undefined;
    throw new Error(String(failed.error ?? detail?.message ?? "image operation failed"));
  }
  return events;
}

async function hashFile(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

// ---------------------------------------------------------------------------------------------
// Inputs: bundle, node binary, libraries, static files
// ---------------------------------------------------------------------------------------------

interface Inputs {
  entrypoint: Uint8Array;
  curl: Uint8Array;
  nodeBinary: string;
  /** Absolute path inside the image -> host file to copy (dereferenced). */
  libraries: Map<string, string>;
  files: Map<string, string>;
  /** Hash of everything above. */
  hash: string;
}

async function bundle(entry: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    outfile: "bundle.cjs",
    banner: { js: "#!/usr/local/bin/node" },
    external: ["pg-native", "pg-cloudflare"],
    legalComments: "none",
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${entry}`);
  return output.contents;
}

/** `ldd <binary>` plus the NSS/resolver libraries glibc loads at run time. */
export async function sharedLibraries(binary: string): Promise<Map<string, string>> {
  const output = await run("ldd", [binary]);
  const libraries = new Map<string, string>();
  for (const line of output.split("\n")) {
    if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
    const match = /=>\s*(\/\S+)\s+\(/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match?.[1]) libraries.set(match[1], match[1]);
  }
  const libc = [...libraries.keys()].find((lib) => path.basename(lib).startsWith("libc.so"));
  if (!libc) throw new Error(`ldd ${binary}: libc not found in:\n${output}`);
  for (const name of ["libnss_dns.so.2", "libnss_files.so.2", "libresolv.so.2"]) {
    const candidate = path.join(path.dirname(libc), name);
    try {
      await access(candidate);
      libraries.set(candidate, candidate);
    } catch {
      // glibc >= 2.34 has them built in; the stub files are optional.
    }
  }
  return libraries;
}

const ODOO_CONF = `[options]
addons_path = /mnt/extra-addons
data_dir = /var/lib/odoo
; admin_passwd = admin
; list_db = True
; dbfilter = .*
; workers = 0
; max_cron_threads = 2
; http_port = 8069
; gevent_port = 8072
; limit_time_real = 120
; limit_memory_hard = 2684354560
`;

function staticFiles(): Map<string, string> {
  return new Map([
    ["/etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n"],
    ["/etc/passwd", `root:x:0:0:root:/root:/usr/sbin/nologin\nodoo:x:${ODOO_UID}:${ODOO_UID}:Odoo:/var/lib/odoo:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`],
    ["/etc/group", `root:x:0:\nodoo:x:${ODOO_UID}:\nnogroup:x:65534:\n`],
    ["/etc/os-release", 'NAME="odoo-standin"\nID=odoo-standin\nPRETTY_NAME="Odoo test image (stand-in, test fixture)"\n'],
    ["/etc/odoo/odoo.conf", ODOO_CONF],
  ]);
}

async function collectInputs(): Promise<Inputs> {
  const [entrypoint, curl] = await Promise.all([
    bundle(path.join(STANDIN_DIR, "server.ts")),
    bundle(path.join(STANDIN_DIR, "curl-shim.ts")),
  ]);
  const nodeBinary = process.execPath;
  const libraries = await sharedLibraries(nodeBinary);
  const files = staticFiles();
  const hash = createHash("sha256");
  hash.update(`${LAYOUT_VERSION}\n`);
  hash.update(entrypoint);
  hash.update(curl);
  await hashFile(hash, nodeBinary);
  for (const [target, source] of [...libraries].sort()) {
    hash.update(`lib ${target}\n`);
    await hashFile(hash, source);
  }
  for (const [target, content] of [...files].sort()) hash.update(`file ${target}\n${content}`);
  return { entrypoint, curl, nodeBinary, libraries, files, hash: hash.digest("hex") };
}

// ---------------------------------------------------------------------------------------------
// Root filesystem and tarball
// ---------------------------------------------------------------------------------------------

async function buildRootfs(root: string, inputs: Inputs): Promise<void> {
  const at = (target: string): string => path.join(root, target);
  const asRoot = process.getuid?.() === 0;
  for (const dir of ["usr/local/bin", "usr/bin", "usr/sbin", "etc/odoo", "var/lib/odoo", "mnt/extra-addons", "tmp", "root", "proc", "sys", "dev", "run"]) {
    await mkdir(at(dir), { recursive: true });
  }
  await copyFile(inputs.nodeBinary, at("usr/local/bin/node"));
  await chmod(at("usr/local/bin/node"), 0o755);
  await writeFile(at("entrypoint.sh"), inputs.entrypoint, { mode: 0o755 });
  await chmod(at("entrypoint.sh"), 0o755);
  await symlink("/entrypoint.sh", at("usr/bin/odoo"));
  await writeFile(at("usr/bin/curl"), inputs.curl, { mode: 0o755 });
  await chmod(at("usr/bin/curl"), 0o755);
  for (const [target, source] of inputs.libraries) {
    await mkdir(path.dirname(at(target)), { recursive: true });
    await copyFile(source, at(target)); // copyFile follows symlinks: the real library lands at the soname path
    await chmod(at(target), 0o755);
  }
  for (const [target, content] of inputs.files) await writeFile(at(target), content, { mode: 0o644 });
  await chmod(at("tmp"), 0o1777);
  await chmod(at("root"), 0o700);
  // The server runs as odoo: it owns its data dir (volumes are seeded from it), the addons mount
  // point and the config file (Odoo rewrites it when the master password changes).
  for (const owned of ["var/lib/odoo", "mnt/extra-addons", "etc/odoo", "etc/odoo/odoo.conf"]) {
    if (asRoot) await chown(at(owned), ODOO_UID, ODOO_UID);
    else await chmod(at(owned), owned.endsWith(".conf") ? 0o666 : 0o1777);
  }
}

async function createTarball(root: string, tarPath: string): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  // Deterministic archive: the same content gives the same layer for every series.
  await run("tar", [
    "--create",
    "--file",
    tarPath,
    "--directory",
    root,
    "--format=gnu",
    "--sort=name",
    "--mtime=@0",
    "--numeric-owner",
    ...(asRoot ? [] : ["--owner=0", "--group=0"]),
    ".",
  ]);
}

// ---------------------------------------------------------------------------------------------
// Image import
// ---------------------------------------------------------------------------------------------

/** Dockerfile instructions applied on import, as the official Dockerfile sets them. */
export function imageChanges(series: string, hash: string, withLabels = true): string[] {
  const changes = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    `ENV LANG=${Number.parseFloat(series) >= 17 ? "en_US.UTF-8" : "C.UTF-8"}`,
    `ENV ODOO_VERSION=${series}`,
    "ENV ODOO_RC=/etc/odoo/odoo.conf",
    `ENV ODOO_STANDIN_SERIES=${series}`,
    // One port per instruction: podman 4.3 rejects "EXPOSE 8069 8071 8072".
    "EXPOSE 8069",
    "EXPOSE 8071",
    "EXPOSE 8072",
    'VOLUME ["/var/lib/odoo", "/mnt/extra-addons"]',
    "USER odoo",
    "WORKDIR /",
    'ENTRYPOINT ["/entrypoint.sh"]',
    'CMD ["odoo"]',
  ];
  if (withLabels) changes.push(`LABEL ${SERIES_LABEL}=${series}`, `LABEL ${HASH_LABEL}=${hash}`);
  else changes.push(`ENV ${HASH_ENV}=${hash}`);
  return changes;
}

export function seriesHash(contentHash: string, series: string): string {
  return createHash("sha256").update(`${contentHash}\n${imageChanges(series, "").join("\n")}`).digest("hex");
}

/** The content hash an image was built from (label, or the ENV fallback). */
export function builtHash(info: Docker.ImageInspectInfo | null): string | undefined {
  if (!info) return undefined;
  const label = info.Config?.Labels?.[HASH_LABEL];
  if (label) return label;
  const env = (info.Config?.Env ?? []).find((item) => item.startsWith(`${HASH_ENV}=`));
  return env?.slice(HASH_ENV.length + 1);
}

function configProblems(info: Docker.ImageInspectInfo, series: string, hash: string): string[] {
  const problems: string[] = [];
  const config = info.Config;
  if (JSON.stringify(config?.Entrypoint) !== JSON.stringify(["/entrypoint.sh"])) problems.push(`Entrypoint is ${JSON.stringify(config?.Entrypoint)}`);
  if (JSON.stringify(config?.Cmd) !== JSON.stringify(["odoo"])) problems.push(`Cmd is ${JSON.stringify(config?.Cmd)}`);
  if (config?.User !== "odoo") problems.push(`User is ${JSON.stringify(config?.User)}`);
  if (!(config?.Env ?? []).includes(`ODOO_STANDIN_SERIES=${series}`)) problems.push("ENV ODOO_STANDIN_SERIES missing");
  if (!config?.ExposedPorts?.["8069/tcp"]) problems.push("port 8069 not exposed");
  if (builtHash(info) !== hash) problems.push("content hash missing");
  return problems;
}

async function importSeries(docker: Docker, tarPath: string, series: string, hash: string): Promise<Docker.ImageInspectInfo> {
  const tag = standinImage(series);
  const attempt = async (withLabels: boolean): Promise<string | undefined> => {
    // `repo` carries the tag: the Docker API documents "the repo may include a tag", and podman
    // 4.3 ignores the separate `tag` parameter of fromSrc imports.
    const stream = await docker.importImage(createReadStream(tarPath), {
      repo: tag,
      changes: imageChanges(series, hash, withLabels),
      message: `odoo-standin ${series} (test fixture)`,
    });
    const events = progressEvents(await readStream(stream));
    const last = [...events].reverse().find((event) => typeof event.status === "string" && /^sha256:/.test(String(event.status)));
    return last ? String(last.status) : undefined;
  };
  let imageId: string | undefined;
  try {
    imageId = await attempt(true);
  } catch (error) {
    if (!/label/i.test(String((error as Error).message))) throw error;
    imageId = await attempt(false);
  }
  let info = await inspectOrNull(docker, tag);
  if ((!info || builtHash(info) !== hash) && imageId) {
    // The engine did not apply the repo:tag; tag the imported image ourselves.
    const [repo, tagName] = [STANDIN_REPOSITORY, series];
    await docker.getImage(imageId).tag({ repo, tag: tagName });
    info = await inspectOrNull(docker, tag);
  }
  if (!info) throw new Error(`import of ${tag} finished but the tag does not exist`);
  const problems = configProblems(info, series, hash);
  if (problems.length > 0) {
    throw new Error(
      `the container engine did not apply the image config given as \`changes\` to POST /images/create?fromSrc=- ` +
        `(${problems.join("; ")}). Import the tarball with \`podman import --change ...\` instead.`,
    );
  }
  return info;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export interface BuildOptions {
  series?: string[];
  docker?: Docker;
  force?: boolean;
  log?: (line: string) => void;
}

export interface BuildResult {
  series: string;
  image: string;
  status: "built" | "up-to-date";
  seconds: number;
  hash: string;
}

/** Builds localhost/odoo-standin:<series> for each series whose image is missing or stale. */
export async function buildOdooStandinImages(options: BuildOptions = {}): Promise<BuildResult[]> {
  const docker = options.docker ?? new Docker();
  const series = options.series ?? seriesToBuild();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const inputs = await collectInputs();
  const results: BuildResult[] = [];
  let workDir: string | undefined;
  let tarPath: string | undefined;
  try {
    for (const name of series) {
      const hash = seriesHash(inputs.hash, name);
      const image = standinImage(name);
      const existing = await inspectOrNull(docker, image);
      if (!options.force && builtHash(existing) === hash) {
        results.push({ series: name, image, status: "up-to-date", seconds: (Date.now() - started) / 1000, hash });
        log(`odoo-standin ${name}: up to date (${image})`);
        continue;
      }
      const seriesStarted = Date.now();
      if (!tarPath) {
        workDir = await mkdtemp(path.join(os.tmpdir(), "odoo-standin-"));
        const root = path.join(workDir, "rootfs");
        await buildRootfs(root, inputs);
        tarPath = path.join(workDir, "rootfs.tar");
        await createTarball(root, tarPath);
        await rm(root, { recursive: true, force: true });
      }
      const info = await importSeries(docker, tarPath, name, hash);
      if (existing && existing.Id !== info.Id) {
        await docker
          .getImage(existing.Id)
          .remove()
          .catch((error: unknown) => {
            // 409: still used by a container; it stays as an untagged image until that is removed.
            if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error;
          });
      }
      const seconds = (Date.now() - (results.length === 0 ? started : seriesStarted)) / 1000;
      results.push({ series: name, image, status: "built", seconds, hash });
      log(`odoo-standin ${name}: built in ${seconds.toFixed(1)} s (${image})`);
    }
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
  return results;
}

export interface ProbeResult {
  available: boolean;
  image: string;
  detail: string;
}

/** Is the official image usable here: present, or pullable within `timeoutMs`? */
export async function probeOfficialImage(options: { image?: string; timeoutMs?: number; docker?: Docker } = {}): Promise<ProbeResult> {
  const docker = options.docker ?? new Docker();
  const image = options.image ?? `odoo:${seriesToBuild().find((s) => s !== "16.0") ?? "17.0"}`;
  const timeoutMs = options.timeoutMs ?? 20_000;
  try {
    if (await inspectOrNull(docker, image)) return { available: true, image, detail: `${image} is present` };
  } catch (error) {
    return { available: false, image, detail: `the container engine did not answer: ${(error as Error).message}` };
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const stream = await docker.pull(image, { abortSignal: controller.signal });
    progressEvents(await readStream(stream));
    if (await inspectOrNull(docker, image)) return { available: true, image, detail: `${image} pulled` };
    return { available: false, image, detail: `pulling ${image} reported success but the image is missing` };
  } catch (error) {
    if (controller.signal.aborted) return { available: false, image, detail: `pulling ${image} did not finish within ${timeoutMs / 1000} s` };
    const message = String((error as Error).message ?? error).split("\n")[0] ?? "";
    return { available: false, image, detail: `${image} cannot be pulled: ${message.slice(0, 200)}` };
  } finally {
    clearTimeout(timer);
  }
}

async function main(argv: string[]): Promise<number> {
  // Like the app: .env fills in what the environment does not set (DOCKER_HOST, ODOO_SERIES).
  const envFile = path.join(REPO_ROOT, ".env");
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  if (argv.includes("--probe-official")) {
    const result = await probeOfficialImage();
    (result.available ? process.stdout : process.stderr).write(`official Odoo image: ${result.detail}\n`);
    return result.available ? 0 : 1;
  }
  await buildOdooStandinImages({ force: argv.includes("--force") });
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`build-odoo-image: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
