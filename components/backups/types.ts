import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;

export type Backup = Outputs["backups"]["list"][number];
export type BackupStatus = Backup["status"];
export type BackupKind = Backup["kind"];

/** The worker has not finished with it yet: poll. */
export const isBackupActive = (backup: Pick<Backup, "status">) => backup.status === "PENDING" || backup.status === "RUNNING";
