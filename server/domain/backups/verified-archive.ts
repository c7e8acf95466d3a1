import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { hashingPassThrough, sha256Of } from "../../archive/hashing";
import { db } from "../../db";
import { env } from "../../env";
import { RestoreRefused } from "../../errors";
import { archiveLocation } from "./manage-backups";

/**
 * The archive as a local file, after checking it against the size and SHA-256 recorded when it
 * was made: a tampered or truncated archive is refused before anything is touched. A backup
 * kept only remotely (S3) is downloaded to a scratch file first, hashed on the way.
 */
export async function verifiedArchive(backupId: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const backup = await db.backup.findUniqueOrThrow({ where: { id: backupId } });
  let location;
  try {
    location = await archiveLocation(backupId);
  } catch {
    throw new RestoreRefused("No stored copy of this backup is available.");
  }
  let path = location.storage.localPath(location.key);
  let cleanup = async () => {};
  let actual;
  if (path) {
    actual = await sha256Of(await location.storage.get(location.key));
  } else {
    const scratchDir = join(resolve(env().BACKUP_DIR), ".restore");
    await mkdir(scratchDir, { recursive: true });
    const scratch = join(scratchDir, `${backupId}-${Date.now()}.zip`);
    cleanup = () => rm(scratch, { force: true });
    const hashed = hashingPassThrough();
    try {
      await pipeline(await location.storage.get(location.key), hashed.stream, createWriteStream(scratch, { mode: 0o600 }));
    } catch (error) {
      await cleanup();
      throw new RestoreRefused(`The backup could not be read from ${location.storage.name}: ${(error as Error).message}`);
    }
    actual = hashed.result();
    path = scratch;
  }
  if (actual.sha256 !== backup.sha256 || actual.sizeBytes !== Number(backup.sizeBytes)) {
    await cleanup();
    throw new RestoreRefused("The backup archive does not match its checksum (it was changed or truncated); nothing was restored.");
  }
  return { path, cleanup };
}
