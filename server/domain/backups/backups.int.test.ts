import { createHash, randomBytes } from "node:crypto";
import { appendFile, truncate } from "node:fs/promises";
import pg from "pg";
import * as tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { platformMetrics } from "@/server/metrics/registry";
import { containerRuntime } from "@/server/runtime";
import { backupStorages } from "@/server/storage";
import { callerFor, createTestUser } from "@/testing/accounts";
import { startJobWorkers } from "@/testing/job-workers";
import { payOpenInvoiceOf } from "@/testing/billing";
import { eventually, odooContainerName, statusOf, uniqueSubdomain } from "@/testing/instances";
import { readOdooArchive } from "@/server/archive/odoo-archive";
import { tenantConnection } from "../instances/tenant-connection";
import { reconcileInstances } from "../instances/reconcile-instances";
import { getQueue, JOB, QUEUE } from "@/server/queue/queues";
import { scheduleBackups } from "./schedule-backups";
import { testRestore, verifyBackups } from "./verify-backups";

/**
 * Backups and restores against real containers of the Odoo test image and a real PostgreSQL
 * pool server, through the same job processors the worker runs.
 */
let workers: ReturnType<typeof startJobWorkers>;
const series = () => (process.env.ODOO_SERIES ?? "17.0,18.0").split(",")[0]!.trim();
type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];

beforeAll(() => {
  workers = startJobWorkers();
});

afterAll(async () => {
  await workers.stop();
});

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined>, withinMs = 60_000): Promise<T> {
  const found = await eventually(async () => (await check()) ?? null, withinMs);
  if (found === null) throw new Error(`timed out waiting for ${what}`);
  return found;
}

async function runningInstance(caller: Caller) {
  const instance = await caller.instances.create({
    name: "Backup test",
    subdomain: uniqueSubdomain("b"),
    odooVersion: series(),
    planId: "premium-monthly",
    trial: true,
  });
  workers.created.push(instance.id);
  await waitFor("RUNNING", async () => ((await statusOf(instance.id)) === "RUNNING" ? true : null));
  return caller.instances.get({ id: instance.id });
}

/** Stores one more attachment (a row and its filestore file) through the test image. */
async function addAttachment(url: string, content: string) {
  const response = await fetch(`${url}/standin/attachment?name=note.txt`, { method: "POST", body: content });
  expect(response.status).toBe(200);
  return (await response.json()) as { id: number; sha1: string; store_fname: string };
}

async function asTenant<T>(instanceId: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...(await tenantConnection(instanceId)) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The files of the instance's filestore, read through the engine: path -> content. */
async function filestoreFiles(instanceId: string): Promise<Map<string, Buffer>> {
  const row = await db.instance.findUniqueOrThrow({ where: { id: instanceId } });
  const archive = await containerRuntime().readArchive(odooContainerName(instanceId), `/var/lib/odoo/filestore/${row.dbName}`);
  const files = new Map<string, Buffer>();
  if (!archive) return files;
  const extract = tar.extract();
  archive.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === "file") files.set(entry.header.name.split("/").slice(1).join("/"), Buffer.concat(chunks));
  }
  return files;
}

async function backupDone(caller: Caller, instanceId: string) {
  const backup = await caller.backups.create({ id: instanceId });
  return waitFor("backup to finish", async () => {
    const current = await caller.backups.get({ id: backup.id });
    return current.status === "SUCCEEDED" || current.status === "FAILED" ? current : null;
  });
}

async function archiveEntries(backupId: string): Promise<Map<string, Buffer>> {
  const copy = await db.backupCopy.findFirstOrThrow({ where: { backupId, storage: "local" } });
  const entries = new Map<string, Buffer>();
  await readOdooArchive(backupStorages()[0]!.localPath(copy.key)!, async (entry, open) => {
    const chunks: Buffer[] = [];
    for await (const chunk of await open()) chunks.push(chunk as Buffer);
    entries.set(entry.name, Buffer.concat(chunks));
  });
  return entries;
}

const sha1 = (content: string | Buffer) => createHash("sha1").update(content).digest("hex");

describe("backups", () => {
  let caller: Caller;
  let instance: Awaited<ReturnType<typeof runningInstance>>;
  let note: { id: number; sha1: string; store_fname: string };
  let noteContent: string;
  let backup: Awaited<ReturnType<typeof backupDone>>;

  beforeAll(async () => {
    caller = (await callerFor((await createTestUser()).id)).caller;
    instance = await runningInstance(caller);
    noteContent = `customer data ${randomBytes(16).toString("hex")}`;
    note = await addAttachment(instance.url!, noteContent);
    backup = await backupDone(caller, instance.id);
  });

  it("writes Odoo's own zip: dump.sql, filestore/, manifest.json, checked after storing", async () => {
    expect(backup).toMatchObject({ status: "SUCCEEDED", kind: "MANUAL", odooSeries: series(), storedIn: "all" });
    expect(backup.verifiedAt).not.toBeNull();
    // Alerts and the dashboard read these: every successful backup is counted with its size.
    const sizes = (await platformMetrics().backupSize.get()).values.find((v) => v.metricName === "saas_backup_size_bytes_count");
    expect(sizes?.value).toBeGreaterThanOrEqual(1);
    const copy = await db.backupCopy.findFirstOrThrow({ where: { backupId: backup.id } });
    const stored = createHash("sha256");
    for await (const chunk of await backupStorages()[0]!.get(copy.key)) stored.update(chunk as Buffer);
    expect(stored.digest("hex")).toBe(backup.sha256);

    const entries = await archiveEntries(backup.id);
    const dump = entries.get("dump.sql")!.toString("utf8");
    expect(dump).toContain("CREATE TABLE public.ir_attachment");
    expect(dump).not.toMatch(/OWNER TO/);
    const manifest = JSON.parse(entries.get("manifest.json")!.toString("utf8"));
    const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(manifest).toMatchObject({ odoo_dump: "1", db_name: row.dbName, version: series(), major_version: series() });
    expect(manifest.pg_version).toMatch(/^\d+\.0$/);
    expect(Object.keys(manifest.modules)).toEqual(expect.arrayContaining(["base", "web"]));
    expect(entries.get(`filestore/${note.store_fname}`)?.toString("utf8")).toBe(noteContent);
  });

  it("runs one backup per instance at a time: asking again returns the running one", async () => {
    const [first, second] = await Promise.all([caller.backups.create({ id: instance.id }), caller.backups.create({ id: instance.id })]);
    expect(second.id).toBe(first.id);
    await waitFor("backup", async () => ((await caller.backups.get({ id: first.id })).status === "SUCCEEDED" ? true : null));
    const list = await caller.backups.list({ id: instance.id });
    expect(list[0]!.id).toBe(first.id);
    expect(list.map((b) => b.createdAt.getTime())).toEqual([...list.map((b) => b.createdAt.getTime())].sort((a, b) => b - a));
  });

  it("another customer sees none of it: NOT_FOUND on every backup procedure", async () => {
    const other = (await callerFor((await createTestUser()).id)).caller;
    await expect(other.backups.get({ id: backup.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.backups.list({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.backups.create({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.backups.delete({ id: backup.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      other.backups.restore({ backupId: backup.id, target: "in-place", confirmSubdomain: instance.subdomain! }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("an in-place restore needs the subdomain typed, as a field error", async () => {
    await expect(caller.backups.restore({ backupId: backup.id, target: "in-place", confirmSubdomain: "nope" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { fieldErrors: { confirmSubdomain: [expect.stringContaining(instance.subdomain!)] } },
    });
    expect(await statusOf(instance.id)).toBe("RUNNING");
  });

  it("restores in place: deleted rows and files come back byte for byte, after a pre-restore backup", async () => {
    // Change and delete what the backup holds.
    await asTenant(instance.id, (client) => client.query("DELETE FROM ir_attachment WHERE id = $1", [note.id]));
    const later = await addAttachment(instance.url!, "written after the backup");
    const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    const container = containerRuntime();
    const exec = await (await import("@/server/runtime")).containerEngine()
      .getContainer(odooContainerName(instance.id))
      .exec({ AttachStdout: true, AttachStderr: true, Cmd: ["node", "-e", `require("fs").unlinkSync(process.argv[1])`, `/var/lib/odoo/filestore/${row.dbName}/${note.store_fname}`] });
    const stream = await exec.start({});
    await new Promise((resolve) => stream.on("end", resolve).resume());
    expect((await filestoreFiles(instance.id)).has(note.store_fname)).toBe(false);

    const { restoreId } = await caller.backups.restore({ backupId: backup.id, target: "in-place", confirmSubdomain: instance.subdomain! });
    const restore = await waitFor("restore", async () => {
      const r = await db.backupRestore.findUniqueOrThrow({ where: { id: restoreId } });
      return r.status === "SUCCEEDED" || r.status === "FAILED" ? r : null;
    }, 120_000);
    expect(restore).toMatchObject({ status: "SUCCEEDED", failureReason: null });
    expect(await statusOf(instance.id)).toBe("RUNNING");
    expect((await container.inspectContainer(odooContainerName(instance.id)))?.running).toBe(true);

    const attachments = await asTenant(instance.id, async (client) =>
      (await client.query<{ id: number; checksum: string }>("SELECT id, checksum FROM ir_attachment ORDER BY id")).rows,
    );
    expect(attachments.map((a) => a.id)).toContain(note.id);
    expect(attachments.map((a) => a.checksum)).not.toContain(later.sha1);
    const files = await filestoreFiles(instance.id);
    expect(files.get(note.store_fname)?.toString("utf8")).toBe(noteContent);
    expect(sha1(files.get(note.store_fname)!)).toBe(note.sha1);
    const health = await fetch(`${(await caller.instances.get({ id: instance.id })).url}/web/health`);
    expect(health.status).toBe(200);

    const pre = await db.backup.findFirstOrThrow({ where: { instanceId: instance.id, kind: "PRE_RESTORE" } });
    expect(pre.status).toBe("SUCCEEDED");
    // The side databases of the swap are gone.
    const names = await asTenant(instance.id, async (client) =>
      (await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [row.dbName])).rows.map((r) => r.datname),
    );
    expect(names).toEqual([row.dbName]);
  });

  it("restores into a new instance of the same owner and leaves the source untouched", async () => {
    const sourceBefore = await asTenant(instance.id, async (client) => ({
      attachments: (await client.query("SELECT id, checksum FROM ir_attachment ORDER BY id")).rows,
      uuid: (await client.query("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")).rows[0]?.value,
    }));
    const marker = await addAttachment(instance.url!, "only in the source, after the backup");
    const subdomain = uniqueSubdomain("r");
    const { instanceId } = await caller.backups.restore({ backupId: backup.id, target: "new", name: "Restored copy", subdomain });
    workers.created.push(instanceId);
    // A new instance is a new subscription: provisioned (here: restored) once its invoice is paid.
    expect(await statusOf(instanceId)).toBe("PENDING_PAYMENT");
    await payOpenInvoiceOf(instanceId);
    await waitFor("restored instance RUNNING", async () => {
      const status = await statusOf(instanceId);
      if (status === "ERROR") throw new Error((await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).statusMessage ?? "ERROR");
      return status === "RUNNING" ? true : null;
    }, 120_000);

    const copy = await asTenant(instanceId, async (client) => ({
      attachments: (await client.query<{ id: number; checksum: string }>("SELECT id, checksum FROM ir_attachment ORDER BY id")).rows,
      uuid: (await client.query("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'")).rows[0]?.value,
    }));
    expect(copy.attachments.map((a) => a.checksum)).toContain(note.sha1);
    expect(copy.attachments.map((a) => a.checksum)).not.toContain(marker.sha1);
    expect(copy.uuid).not.toBe(sourceBefore.uuid);
    expect((await filestoreFiles(instanceId)).get(note.store_fname)?.toString("utf8")).toBe(noteContent);
    const restored = await caller.instances.get({ id: instanceId });
    expect(restored).toMatchObject({ subdomain, odooVersion: series(), planId: instance.planId });

    const sourceAfter = await asTenant(instance.id, async (client) => (await client.query("SELECT checksum FROM ir_attachment ORDER BY id")).rows);
    expect(sourceAfter.map((r) => r.checksum)).toContain(marker.sha1);
    expect(await statusOf(instance.id)).toBe("RUNNING");
  });

  it("refuses a tampered or truncated archive before touching anything; the instance keeps running on its data", async () => {
    const fresh = await backupDone(caller, instance.id);
    const copy = await db.backupCopy.findFirstOrThrow({ where: { backupId: fresh.id } });
    const file = backupStorages()[0]!.localPath(copy.key)!;
    const startedAt = (await containerRuntime().inspectContainer(odooContainerName(instance.id)))?.startedAt;
    const marker = await addAttachment(instance.url!, "written after the tampered backup");

    for (const damage of [() => appendFile(file, "tampered"), () => truncate(file, Number(fresh.sizeBytes) - 100)]) {
      await damage();
      const { restoreId } = await caller.backups.restore({ backupId: fresh.id, target: "in-place", confirmSubdomain: instance.subdomain! });
      const restore = await waitFor("refused restore", async () => {
        const r = await db.backupRestore.findUniqueOrThrow({ where: { id: restoreId } });
        return r.status === "FAILED" || r.status === "SUCCEEDED" ? r : null;
      });
      expect(restore.status).toBe("FAILED");
      expect(restore.failureReason).toMatch(/checksum/);
      expect(await statusOf(instance.id)).toBe("RUNNING");
      // The failed restore is in BullMQ's failed set with its reason, not "completed".
      const job = await waitFor("failed restore job", async () => {
        const found = await getQueue(QUEUE.backups).getJob(`${JOB.restoreBackup}-${restoreId}`);
        return (await found?.getState()) === "failed" ? found : null;
      });
      expect(job.failedReason).toMatch(/checksum/);
    }
    expect((await containerRuntime().inspectContainer(odooContainerName(instance.id)))?.startedAt).toEqual(startedAt);
    const checksums = await asTenant(instance.id, async (client) => (await client.query("SELECT checksum FROM ir_attachment")).rows.map((r) => r.checksum));
    expect(checksums).toContain(marker.sha1);
    // Restoring the damaged archive into a new instance is refused too, visibly.
    const { instanceId } = await caller.backups.restore({ backupId: fresh.id, target: "new", name: "From damaged", subdomain: uniqueSubdomain("d") });
    workers.created.push(instanceId);
    await payOpenInvoiceOf(instanceId);
    await waitFor("ERROR", async () => ((await statusOf(instanceId)) === "ERROR" ? true : null));
    expect((await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).statusMessage).toMatch(/checksum/);
  });

  it("the daily pass backs up running instances once a day and applies the plan's retention", async () => {
    const before = await db.backup.count({ where: { instanceId: instance.id, kind: "SCHEDULED" } });
    await scheduleBackups();
    await scheduleBackups();
    expect(await db.backup.count({ where: { instanceId: instance.id, kind: "SCHEDULED" } })).toBe(before + 1);
    await waitFor("scheduled backup", async () =>
      (await db.backup.findFirst({ where: { instanceId: instance.id, kind: "SCHEDULED", status: "SUCCEEDED" } })) ? true : null,
    );
    // Retention never deletes the newest successful backup; the plan keeps at most one per day
    // by the daily rule, so today's several manual backups shrink to the newest of the day.
    const result = await scheduleBackups();
    expect(result.pruned).toBeGreaterThan(0);
    const left = await db.backup.findMany({ where: { instanceId: instance.id, status: "SUCCEEDED", kind: { in: ["MANUAL", "SCHEDULED"] } } });
    expect(left).toHaveLength(1);
    const keys = await backupStorages()[0]!.list(instance.id);
    const liveKeys = (await db.backupCopy.findMany({ where: { backup: { instanceId: instance.id }, status: "STORED" } })).map((c) => c.key).sort();
    expect(keys.map((k) => k.key).sort()).toEqual(liveKeys);
  });

  it("the weekly restore test restores the newest backup into a scratch database, and reports one that fails", async () => {
    const good = await backupDone(caller, instance.id);
    expect(await testRestore(good.id)).toEqual({ ok: true, error: null });
    const tested = await caller.backups.get({ id: good.id });
    expect(tested.restoreTestedAt).not.toBeNull();
    expect(tested.restoreTestError).toBeNull();
    const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    const scratch = await asTenant(instance.id, async (client) =>
      (await client.query("SELECT datname FROM pg_database WHERE datname = $1", [`${row.dbName}_verify`])).rows,
    );
    expect(scratch).toEqual([]);

    const copy = await db.backupCopy.findFirstOrThrow({ where: { backupId: good.id, storage: "local" } });
    await appendFile(backupStorages()[0]!.localPath(copy.key)!, "bit rot");
    const result = await verifyBackups({ sample: 1_000 });
    expect(result.failed).toContain(good.id);
    expect((await caller.backups.get({ id: good.id })).restoreTestError).toMatch(/checksum/);
  });

  it("restores a stopped instance in place: started for the restore, stopped again afterwards, on the restored data", async () => {
    const before = await backupDone(caller, instance.id);
    const marker = await addAttachment(instance.url!, "written after the last backup");
    await caller.instances.stop({ id: instance.id });
    await waitFor("STOPPED", async () => ((await statusOf(instance.id)) === "STOPPED" ? true : null));

    const { restoreId } = await caller.backups.restore({ backupId: before.id, target: "in-place", confirmSubdomain: instance.subdomain! });
    const restore = await waitFor("restore", async () => {
      const r = await db.backupRestore.findUniqueOrThrow({ where: { id: restoreId } });
      return r.status === "SUCCEEDED" || r.status === "FAILED" ? r : null;
    }, 120_000);
    expect(restore).toMatchObject({ status: "SUCCEEDED", failureReason: null });
    expect(await statusOf(instance.id)).toBe("STOPPED");
    const container = await containerRuntime().inspectContainer(odooContainerName(instance.id));
    expect(container?.running).toBe(false);
    const checksums = await asTenant(instance.id, async (client) => (await client.query("SELECT checksum FROM ir_attachment")).rows.map((r) => r.checksum));
    expect(checksums).not.toContain(marker.sha1);
  });

  it("an in-place restore whose job was lost is revived by the reconciler and finishes", async () => {
    const latest = await db.backup.findFirstOrThrow({ where: { instanceId: instance.id, status: "SUCCEEDED" }, orderBy: { createdAt: "desc" } });
    const before = await statusOf(instance.id);
    expect(["RUNNING", "STOPPED"]).toContain(before);
    // What requestRestore does, without the enqueue (Redis was down, say), 10 minutes ago.
    const lost = await db.backupRestore.create({
      data: { backupId: latest.id, targetInstanceId: instance.id, inPlace: true, previousStatus: before as "RUNNING" | "STOPPED", requestedBy: "test" },
    });
    await db.instance.update({ where: { id: instance.id }, data: { status: "RESTORING", statusChangedAt: new Date(Date.now() - 10 * 60_000) } });

    const report = await reconcileInstances();
    expect(report.requeued).toBeGreaterThanOrEqual(1);
    const restore = await waitFor("revived restore", async () => {
      const r = await db.backupRestore.findUniqueOrThrow({ where: { id: lost.id } });
      return r.status === "SUCCEEDED" || r.status === "FAILED" ? r : null;
    }, 120_000);
    expect(restore).toMatchObject({ status: "SUCCEEDED", failureReason: null });
    expect(await statusOf(instance.id)).toBe(before);
  });

  it("a restore whose job failed for good is not revived again and again: FAILED, the instance in ERROR", async () => {
    const latest = await db.backup.findFirstOrThrow({ where: { instanceId: instance.id, status: "SUCCEEDED" }, orderBy: { createdAt: "desc" } });
    const stuck = await db.backupRestore.create({
      data: { backupId: latest.id, targetInstanceId: instance.id, inPlace: true, previousStatus: "RUNNING", status: "RUNNING", requestedBy: "test" },
    });
    await db.instance.update({ where: { id: instance.id }, data: { status: "RESTORING", statusChangedAt: new Date(Date.now() - 10 * 60_000) } });
    // Its job failed on its last attempt (a payload the processor refuses stands in for a crash loop).
    const jobId = `${JOB.restoreBackup}-${stuck.id}`;
    await getQueue(QUEUE.backups).add(JOB.restoreBackup, { restoreId: 42 }, { jobId, attempts: 1 });
    await waitFor("failed job", async () => ((await (await getQueue(QUEUE.backups).getJob(jobId))?.getState()) === "failed" ? true : null));

    await reconcileInstances();
    const restore = await db.backupRestore.findUniqueOrThrow({ where: { id: stuck.id } });
    expect(restore.status).toBe("FAILED");
    expect(restore.failureReason).toMatch(/failed on every attempt/);
    const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row.status).toBe("ERROR");
    expect(row.statusMessage).toMatch(/an admin must look/);
  });
});
