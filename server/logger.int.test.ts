import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "@/server/crypto/secrets";
import { db } from "@/server/db";
import { deleteInstance } from "@/server/domain/instances/run-instance-action";
import { containerRuntime } from "@/server/runtime";
import { createTestUser } from "@/testing/accounts";
import { uniqueSubdomain } from "@/testing/instances";

/**
 * The logs of a full provisioning run are structured JSON, carry instance and job ids, and
 * never a secret.
 *
 * The run happens in a child process (testing/logged-provisioning-run.ts) and this test reads
 * everything that process writes to fd 1 and fd 2. pino writes through sonic-boom straight to
 * the file descriptor, beside process.stdout.write, so patching the stream in this process
 * would miss it; a child's pipes see every byte, whoever writes it (pino, console, a library,
 * Node's warnings), exactly as a log collector attached to the worker would.
 */

const HEALTHY_SERIES = (process.env.ODOO_SERIES ?? "17.0").split(",")[0]!.trim();
/** A series no test image is built for: creating the container fails after the database exists. */
const MISSING_SERIES = "11.0";
const RUN_TIMEOUT_MS = 40_000;

type LogLine = { level: number; time: string; msg: string; service?: string; instanceId?: string; jobId?: string; job?: string } & Record<
  string,
  unknown
>;

let ownerId: string;
let planId: string;
const instanceIds: string[] = [];

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
  });
}

async function newInstance(odooVersion: string) {
  const instance = await db.instance.create({
    data: {
      ownerId,
      planId,
      name: "Logger test",
      subdomain: uniqueSubdomain("log"),
      odooVersion,
      adminEmail: "logger-test@test.example",
      cpuLimit: 1,
      memoryMb: 1024,
      storageGb: 1,
    },
  });
  instanceIds.push(instance.id);
  return instance;
}

/** Names (never values) of the secrets found in the text. */
function leakedSecrets(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => text.includes(value) || text.includes(JSON.stringify(value).slice(1, -1)) || text.includes(encodeURIComponent(value)))
    .map(([name]) => name);
}

beforeAll(async () => {
  ownerId = (await createTestUser()).id;
  planId = (
    await db.plan.create({
      data: {
        id: `test-logger-${randomBytes(6).toString("hex")}`,
        displayName: "Logger test",
        cpu: 1,
        memoryMb: 1024,
        storageGb: 1,
        maxInstances: 10,
        allowedSeries: [HEALTHY_SERIES, MISSING_SERIES],
      },
    })
  ).id;
});

afterAll(async () => {
  // Container, volume, database and role go for real; then the rows this file made.
  for (const id of instanceIds) {
    await db.instance.updateMany({ where: { id, status: { not: "DELETED" } }, data: { status: "DELETING" } });
    await deleteInstance(id).catch(() => undefined);
  }
  await db.instance.deleteMany({ where: { id: { in: instanceIds } } });
  if (planId) await db.plan.delete({ where: { id: planId } });
  if (ownerId) await db.user.delete({ where: { id: ownerId } });
});

describe("logs of a provisioning run", () => {
  it("are JSON lines with instance and job ids, and hold no password or key", { timeout: 60_000 }, async () => {
    // The failing path needs an image that really is missing.
    expect(await containerRuntime().hasImage(`${process.env.ODOO_IMAGE}:${MISSING_SERIES}`)).toBe(false);
    const healthy = await newInstance(HEALTHY_SERIES);
    const broken = await newInstance(MISSING_SERIES);

    const result = await run("node_modules/.bin/tsx", ["testing/logged-provisioning-run.ts", healthy.id, broken.id], {
      ...process.env,
      LOG_LEVEL: "trace",
      SERVICE_NAME: "worker",
    });

    // The secrets that existed during the run. Both tenant passwords were generated, stored and
    // used (the broken instance's database was created before its container failed). Leaks are
    // looked for first, and reported by name, so that no failure message below prints a secret.
    const rows = await db.instance.findMany({ where: { id: { in: [healthy.id, broken.id] } } });
    const secrets: Record<string, string> = {};
    for (const row of rows) {
      const which = row.id === healthy.id ? "healthy" : "broken";
      if (row.dbPasswordEnc) secrets[`database password of the ${which} instance`] = decryptSecret(row.dbPasswordEnc);
    }
    const fromEnv = ["ADMIN_PASSWORD", "POOL_DB_MANAGER_PASSWORD", "AUTH_SECRET", "SECRETS_KEY", "METRICS_TOKEN"];
    for (const name of fromEnv) if (process.env[name]) secrets[name] = process.env[name]!;
    const platformDbPassword = decodeURIComponent(new URL(process.env.DATABASE_URL!).password);
    if (platformDbPassword) secrets["DATABASE_URL password"] = platformDbPassword;
    expect(leakedSecrets(result.stdout + result.stderr, secrets), "secrets found in the run's output").toEqual([]);

    expect(result.stderr.trim(), "the run's stderr").toBe("");
    expect(result.code, "the run's exit code").toBe(0);
    expect(Object.keys(secrets).sort()).toEqual(
      expect.arrayContaining([
        "ADMIN_PASSWORD",
        "AUTH_SECRET",
        "POOL_DB_MANAGER_PASSWORD",
        "SECRETS_KEY",
        "database password of the broken instance",
        "database password of the healthy instance",
      ]),
    );
    for (const value of Object.values(secrets)) expect(value.length).toBeGreaterThanOrEqual(10);

    // Every line on stdout is one JSON log record.
    const raw = result.stdout.split("\n").filter((line) => line.trim() !== "");
    const lines = raw.map((line) => JSON.parse(line) as LogLine);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(String), msg: expect.any(String), service: "worker" });
    }

    // Instance and job ids: the success, the failed stop and the failed provisioning.
    const about = (id: string) => lines.filter((line) => line.instanceId === id);
    expect(about(healthy.id).length).toBeGreaterThanOrEqual(2);
    expect(about(broken.id).length).toBeGreaterThanOrEqual(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "instance job done", jobId: `provision-instance-${healthy.id}`, job: "provision-instance", status: "RUNNING" }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: "instance job failed",
        jobId: `stop-instance-${healthy.id}`,
        lastAttempt: true,
        err: expect.objectContaining({ message: `container odoo-${healthy.id} does not exist` }),
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, msg: "instance job failed", jobId: `provision-instance-${broken.id}`, instanceId: broken.id }),
    );

    // Nor in what customers see of the failures: status messages and the timeline.
    const events = await db.instanceEvent.findMany({ where: { instanceId: { in: [healthy.id, broken.id] } } });
    const shown = [...rows.map((row) => row.statusMessage ?? ""), ...events.map((event) => event.message)].join("\n");
    expect(shown).toContain("stop failed:");
    expect(leakedSecrets(shown, secrets), "secrets found in status messages and the timeline").toEqual([]);
  });
});
