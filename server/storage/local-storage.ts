import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { assertSafeKey, StoredObjectMissing, type BackupStorage } from "./backup-storage";

/**
 * Archives on the local disk under one root directory. A write goes to `<key>.partial`, is
 * flushed to disk and only then renamed to the key, so a crash or a failed stream never leaves
 * a truncated archive under the real name.
 */
export class LocalStorage implements BackupStorage {
  readonly name = "local";

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, body: Readable): Promise<{ sizeBytes: number }> {
    const target = this.pathOf(key);
    const partial = `${target}.partial`;
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await pipeline(body, createWriteStream(partial, { mode: 0o600 }));
      const handle = await open(partial, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, target);
      return { sizeBytes: (await stat(target)).size };
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    try {
      await stat(file);
    } catch {
      throw new StoredObjectMissing(key);
    }
    return createReadStream(file);
  }

  localPath(key: string): string {
    return this.pathOf(key);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async list(prefix: string): Promise<Array<{ key: string; sizeBytes: number }>> {
    const dir = this.pathOf(prefix.replace(/\/$/, ""));
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const entries = [];
    for (const name of names.filter((n) => !n.endsWith(".partial"))) {
      entries.push({ key: `${prefix.replace(/\/$/, "")}/${name}`, sizeBytes: (await stat(path.join(dir, name))).size });
    }
    return entries;
  }
}
