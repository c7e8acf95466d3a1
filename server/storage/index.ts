import path from "node:path";
import { env } from "../env";
import type { BackupStorage } from "./backup-storage";
import { LocalStorage } from "./local-storage";
import { S3Storage } from "./s3-storage";

let storages: BackupStorage[] | undefined;

/**
 * The configured storages, primary first: the local disk always (BACKUP_DIR), and an
 * S3-compatible bucket when S3_BUCKET is set. Each backup is written to the primary in the
 * streaming pass and then copied to the others; every copy is tracked on its own.
 */
export function backupStorages(): BackupStorage[] {
  if (!storages) {
    const config = env();
    storages = [new LocalStorage(path.resolve(config.BACKUP_DIR))];
    if (config.S3_BUCKET) {
      storages.push(
        new S3Storage({
          bucket: config.S3_BUCKET,
          prefix: config.S3_PREFIX,
          encryptionKey: config.S3_ENCRYPTION_KEY ? Buffer.from(config.S3_ENCRYPTION_KEY, "hex") : undefined,
          client: {
            region: config.S3_REGION,
            endpoint: config.S3_ENDPOINT,
            forcePathStyle: config.S3_FORCE_PATH_STYLE,
            credentials:
              config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
                ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
                : undefined,
          },
        }),
      );
    }
  }
  return storages;
}

export function storageNamed(name: string): BackupStorage | undefined {
  return backupStorages().find((storage) => storage.name === name);
}
