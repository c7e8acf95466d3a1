import path from "node:path";
import { env } from "../env";
import type { BackupStorage } from "./backup-storage";
import { LocalStorage } from "./local-storage";

let storages: BackupStorage[] | undefined;

/** The configured storages, primary (local) first. */
export function backupStorages(): BackupStorage[] {
  storages ??= [new LocalStorage(path.resolve(env().BACKUP_DIR))];
  return storages;
}

export function storageNamed(name: string): BackupStorage | undefined {
  return backupStorages().find((storage) => storage.name === name);
}
