import { createHash, randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/server/db";
import { callerFor, createTestUser } from "@/testing/accounts";
import { startJobWorkers } from "@/testing/job-workers";
import { payOpenInvoiceOf } from "@/testing/billing";
import { eventually, statusOf, uniqueSubdomain } from "@/testing/instances";
import { startS3TestServer, type S3TestServer } from "@/testing/s3-test-server";
import { pruneBackups } from "../domain/backups/schedule-backups";
import { StoredObjectMissing } from "./backup-storage";
import { backupStorages } from "./index";
import { S3Storage } from "./s3-storage";

/**
 * The S3 storage against an S3-compatible test server (s3rver): multipart uploads, listing,
 * downloads, deletion, encryption at rest; and backups with both storages configured, as the
 * platform reads them from the environment.
 */
const s3 = vi.hoisted(() => {
  // Below Linux's ephemeral range (32768-60999), where the engine's published ports and outbound
  // sockets come from: a port taken there made s3rver hang at start instead of failing.
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  const config = {
    S3_BUCKET: "backups-test",
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_FORCE_PATH_STYLE: "true",
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_PREFIX: "platform/",
    S3_ENCRYPTION_KEY: Array.from({ length: 64 }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join(""),
  };
  Object.assign(process.env, config);
  return { port, config };
});

let server: S3TestServer;
let workers: ReturnType<typeof startJobWorkers>;
const series = () => (process.env.ODOO_SERIES ?? "17.0,18.0").split(",")[0]!.trim();

const rawClient = () =>
  new S3Client({
    region: "us-east-1",
    endpoint: s3.config.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });

function storage(encrypted: boolean) {
  return new S3Storage({
    bucket: s3.config.S3_BUCKET,
    prefix: "direct/",
    encryptionKey: encrypted ? Buffer.from(s3.config.S3_ENCRYPTION_KEY, "hex") : undefined,
    client: {
      region: "us-east-1",
      endpoint: s3.config.S3_ENDPOINT,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    },
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  server = await startS3TestServer({ port: s3.port, bucket: s3.config.S3_BUCKET });
  workers = startJobWorkers();
});

afterAll(async () => {
  await workers.stop();
  await server.dispose();
  for (const key of Object.keys(s3.config)) delete process.env[key];
});

describe("S3Storage", () => {
  it("uploads a 40 MB stream in parts, lists, downloads it byte for byte and deletes it", async () => {
    const plain = storage(false);
    const content = randomBytes(40 * 1024 * 1024);
    const { sizeBytes } = await plain.put("inst1/big.zip", Readable.from([content.subarray(0, 1 << 20), content.subarray(1 << 20)]));
    expect(sizeBytes).toBe(content.length);
    expect(await plain.list("inst1")).toEqual([{ key: "inst1/big.zip", sizeBytes: content.length }]);
    const back = await readAll(await plain.get("inst1/big.zip"));
    expect(createHash("sha256").update(back).digest("hex")).toBe(createHash("sha256").update(content).digest("hex"));
    await plain.delete("inst1/big.zip");
    expect(await plain.list("inst1")).toEqual([]);
    await expect(plain.get("inst1/big.zip")).rejects.toBeInstanceOf(StoredObjectMissing);
  });

  it("encrypts at rest: the object is not the archive, reads decrypt it, and tampering is detected", async () => {
    const encrypted = storage(true);
    const content = Buffer.from(`PK archive ${randomBytes(4096).toString("hex")}`);
    await encrypted.put("inst2/secret.zip", Readable.from([content]));
    const raw = await readAll((await rawClient().send(new GetObjectCommand({ Bucket: s3.config.S3_BUCKET, Key: "direct/inst2/secret.zip" }))).Body as Readable);
    expect(raw.includes(content.subarray(0, 32))).toBe(false);
    expect(await readAll(await encrypted.get("inst2/secret.zip"))).toEqual(content);

    raw[raw.length - 40] = raw[raw.length - 40]! ^ 0xff;
    await rawClient().send(new PutObjectCommand({ Bucket: s3.config.S3_BUCKET, Key: "direct/inst2/secret.zip", Body: raw }));
    await expect(readAll(await encrypted.get("inst2/secret.zip"))).rejects.toThrow(/integrity/);
  });
});

describe("backups with local and S3 storage", () => {
  it("stores both copies, prunes both, and restores from the S3 copy alone; a failed upload shows as partially stored", async () => {
    expect(backupStorages().map((s) => s.name)).toEqual(["local", "s3"]);
    const { caller } = await callerFor((await createTestUser()).id);
    const instance = await caller.instances.create({ name: "S3 test", subdomain: uniqueSubdomain("s"), odooVersion: series(), planId: "premium-monthly", trial: true });
    workers.created.push(instance.id);
    await eventually(async () => ((await statusOf(instance.id)) === "RUNNING" ? true : null), 60_000);

    const backupOnce = async () => {
      const started = await caller.backups.create({ id: instance.id });
      return (await eventually(async () => {
        const current = await caller.backups.get({ id: started.id });
        return current.status === "SUCCEEDED" || current.status === "FAILED" ? current : null;
      }, 60_000))!;
    };

    const first = await backupOnce();
    expect(first).toMatchObject({ status: "SUCCEEDED", storedIn: "all" });
    expect(first.copies.map((c) => [c.storage, c.status])).toEqual([["local", "STORED"], ["s3", "STORED"]]);
    const s3Storage = backupStorages()[1]!;
    expect((await s3Storage.list(instance.id)).map((o) => o.key)).toEqual([`${instance.id}/${first.id}.zip`]);

    // S3 down: the backup is kept locally, and says plainly that its S3 copy failed.
    await server.stop();
    const partial = await backupOnce();
    await server.start();
    expect(partial).toMatchObject({ status: "SUCCEEDED", storedIn: "partial" });
    expect(partial.copies.find((c) => c.storage === "s3")).toMatchObject({ status: "FAILED", error: expect.any(String) });

    const second = await backupOnce();
    expect(second.storedIn).toBe("all");
    // Same day: retention keeps the newest backup only, and deletes the others' copies everywhere.
    expect(await pruneBackups(instance.id)).toBe(2);
    expect((await s3Storage.list(instance.id)).map((o) => o.key)).toEqual([`${instance.id}/${second.id}.zip`]);
    expect((await backupStorages()[0]!.list(instance.id)).map((o) => o.key)).toEqual([`${instance.id}/${second.id}.zip`]);

    // Only the S3 copy left: a restore into a new instance reads it from there.
    await rm(backupStorages()[0]!.localPath(`${instance.id}/${second.id}.zip`)!);
    await db.backupCopy.update({ where: { backupId_storage: { backupId: second.id, storage: "local" } }, data: { status: "FAILED", error: "removed by the test" } });
    const { instanceId } = await caller.backups.restore({ backupId: second.id, target: "new", name: "From S3", subdomain: uniqueSubdomain("s") });
    workers.created.push(instanceId);
    await payOpenInvoiceOf(instanceId);
    const status = await eventually(async () => {
      const current = await statusOf(instanceId);
      return current === "RUNNING" || current === "ERROR" ? current : null;
    }, 120_000);
    expect(status).toBe("RUNNING");
  });
});
