import type { Readable } from "node:stream";

/**
 * Where backup archives live. Keys are relative paths such as `<instanceId>/<backupId>.zip`.
 * Every method streams: no archive is ever held in memory.
 */
export interface BackupStorage {
  /** "local" or "s3": the name recorded on each BackupCopy. */
  readonly name: string;
  /**
   * Stores the stream under the key. Resolves once the whole archive is durably stored; on any
   * error nothing is left under the key (a half-written archive never looks like a backup).
   */
  put(key: string, body: Readable): Promise<{ sizeBytes: number }>;
  /** The stored archive; StoredObjectMissing when absent. */
  get(key: string): Promise<Readable>;
  /** A path on this machine's disk, for random access (zip central directory), when there is one. */
  localPath(key: string): string | null;
  /** Removes it; absent is fine. */
  delete(key: string): Promise<void>;
  /** Keys under the prefix with their sizes. */
  list(prefix: string): Promise<Array<{ key: string; sizeBytes: number }>>;
}

export class StoredObjectMissing extends Error {
  constructor(readonly key: string) {
    super(`stored archive ${key} does not exist`);
    this.name = "StoredObjectMissing";
  }
}

/** Keys are ours (ids and fixed suffixes), but a key must never climb out of its root. */
export function assertSafeKey(key: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key) || key.split("/").some((part) => part === ".." || part === "")) {
    throw new Error(`invalid storage key: ${key}`);
  }
}
