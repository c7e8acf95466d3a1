/** Display helpers for the backups panel. */
import type { Backup, BackupKind } from "./types";

const UNITS = ["KB", "MB", "GB", "TB"];

/** 1536 -> "1.5 KB"; bytes under 1 KB stay exact; null (not finished) -> "—". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

export const KIND_LABEL: Record<BackupKind, string> = {
  MANUAL: "Manual",
  SCHEDULED: "Scheduled",
  PRE_UPGRADE: "Before upgrade",
  PRE_RESTORE: "Before restore",
  FINAL: "Final",
};

/** "local: upload failed (disk full)" for every copy that is not stored, in words. */
export function describeMissingCopies(copies: Backup["copies"]): string {
  return copies
    .filter((copy) => copy.status !== "STORED")
    .map((copy) => `${copy.storage} ${copy.status === "FAILED" ? `failed${copy.error ? ` (${copy.error})` : ""}` : "still uploading"}`)
    .join("; ");
}
