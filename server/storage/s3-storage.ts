import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from "node:crypto";
import { PassThrough, Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { assertSafeKey, StoredObjectMissing, type BackupStorage } from "./backup-storage";

export type S3StorageConfig = {
  bucket: string;
  prefix: string;
  client: S3ClientConfig;
  /** 32-byte key: objects are stored encrypted (AES-256-GCM) and decrypted on read. */
  encryptionKey?: Buffer;
};

/** Encrypted objects: magic, 12-byte IV, ciphertext, 16-byte GCM tag at the end. */
const MAGIC = Buffer.from("OSB1");
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** 16 MB parts: a 10 GB archive is 640 parts, far below S3's 10,000; 2 in flight bounds memory. */
const PART_SIZE = 16 * 1024 * 1024;
const QUEUE_SIZE = 2;

function encrypting(key: Buffer): Transform {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!started) {
        started = true;
        this.push(Buffer.concat([MAGIC, iv]));
      }
      callback(null, cipher.update(chunk));
    },
    flush(callback) {
      if (!started) this.push(Buffer.concat([MAGIC, iv]));
      this.push(cipher.final());
      callback(null, cipher.getAuthTag());
    },
  });
}

/** Streams the plaintext back, holding back the last 16 bytes (the tag) until the end. */
function decrypting(key: Buffer): Transform {
  let header: Buffer | null = Buffer.alloc(0);
  let decipher: DecipherGCM | null = null;
  let tail = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        let data = chunk;
        if (header !== null) {
          header = Buffer.concat([header, data]);
          if (header.length < MAGIC.length + IV_BYTES) return callback();
          if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error("the S3 copy is not an encrypted archive");
          decipher = createDecipheriv("aes-256-gcm", key, header.subarray(MAGIC.length, MAGIC.length + IV_BYTES));
          data = header.subarray(MAGIC.length + IV_BYTES);
          header = null;
        }
        const joined = Buffer.concat([tail, data]);
        const keep = Math.min(TAG_BYTES, joined.length);
        tail = joined.subarray(joined.length - keep);
        callback(null, decipher!.update(joined.subarray(0, joined.length - keep)));
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        if (!decipher || tail.length !== TAG_BYTES) throw new Error("the S3 copy is truncated");
        decipher.setAuthTag(tail);
        callback(null, decipher.final());
      } catch (error) {
        callback(error instanceof Error && /auth/i.test(error.message) ? new Error("the S3 copy failed its integrity check") : (error as Error));
      }
    },
  });
}

/**
 * Archives in an S3-compatible bucket (AWS, MinIO, …), uploaded in parts as they stream, so an
 * archive of any size passes through a bounded amount of memory. Optionally encrypted.
 */
export class S3Storage implements BackupStorage {
  readonly name = "s3";
  private readonly client: S3Client;

  constructor(private readonly config: S3StorageConfig) {
    this.client = new S3Client(config.client);
  }

  private objectKey(key: string): string {
    assertSafeKey(key);
    return `${this.config.prefix}${key}`;
  }

  async put(key: string, body: Readable): Promise<{ sizeBytes: number }> {
    let sizeBytes = 0;
    const counted = new PassThrough();
    counted.on("data", (chunk: Buffer) => {
      sizeBytes += chunk.length;
    });
    const source = this.config.encryptionKey ? body.pipe(encrypting(this.config.encryptionKey)) : body;
    body.on("error", (error) => counted.destroy(error));
    source.pipe(counted);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key: this.objectKey(key), Body: counted, ContentType: "application/zip" },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      // A failed upload is aborted, so no half-written object (or orphaned parts) remain.
      leavePartsOnError: false,
    });
    await upload.done();
    return { sizeBytes };
  }

  async get(key: string): Promise<Readable> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      const body = object.Body as Readable;
      if (!this.config.encryptionKey) return body;
      const plain = decrypting(this.config.encryptionKey);
      void pipeline(body, plain).catch(() => undefined); // errors surface on `plain`
      return plain;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === "NoSuchKey") throw new StoredObjectMissing(key);
      throw error;
    }
  }

  localPath(): null {
    return null;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
  }

  async list(prefix: string): Promise<Array<{ key: string; sizeBytes: number }>> {
    const entries: Array<{ key: string; sizeBytes: number }> = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.objectKey(prefix), ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        entries.push({ key: object.Key!.slice(this.config.prefix.length), sizeBytes: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return entries;
  }
}
