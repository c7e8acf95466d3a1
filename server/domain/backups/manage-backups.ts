import { actorLabel, type UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import type { BackupKind, Prisma } from "../../generated/prisma/client";
import { logger } from "../../logger";
import { enqueueBackup } from "../../queue/queues";
import { storageNamed } from "../../storage";
import { instanceScope } from "../instances/instance-scope";

import { BACKUP_ALLOWED } from "./backup-rules";

export const BACKUP_SELECT = {
  id: true,
  instanceId: true,
  kind: true,
  status: true,
  failureReason: true,
  sizeBytes: true,
  sha256: true,
  odooSeries: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  verifiedAt: true,
  restoreTestedAt: true,
  restoreTestError: true,
  copies: { select: { storage: true, status: true, error: true, storedAt: true }, orderBy: { storage: "asc" } },
} as const satisfies Prisma.BackupSelect;

type SelectedBackup = Prisma.BackupGetPayload<{ select: typeof BACKUP_SELECT }>;

/** What the API returns: sizes as numbers, and whether every storage holds a copy. */
export function presentBackup(backup: SelectedBackup) {
  const stored = backup.copies.filter((copy) => copy.status === "STORED").length;
  return {
    ...backup,
    sizeBytes: backup.sizeBytes === null ? null : Number(backup.sizeBytes),
    // A backup some storage failed to keep is shown as such, never as fine.
    storedIn:
      backup.status !== "SUCCEEDED" || stored === 0 ? "none" : stored === backup.copies.length ? "all" : "partial",
  };
}

export const startOfUtcDay = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/**
 * Creates a backup record and queues it. At most one backup runs per instance: asking again
 * while one is pending or running returns that one. Manual backups are limited per plan per
 * UTC day. The instance row is locked for the check, so two requests cannot both start one.
 */
export async function createBackup(
  instanceId: string,
  kind: BackupKind,
  requestedBy: string,
  options: { manualLimit?: number } = {},
): Promise<{ backup: SelectedBackup; created: boolean }> {
  const result = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Instance" WHERE id = ${instanceId} FOR UPDATE`;
    const instance = await tx.instance.findUniqueOrThrow({ where: { id: instanceId } });
    const running = await tx.backup.findFirst({
      where: { instanceId, status: { in: ["PENDING", "RUNNING"] } },
      select: BACKUP_SELECT,
      orderBy: { createdAt: "desc" },
    });
    if (running) return { backup: running, created: false };
    if (!instance.initializedAt || !BACKUP_ALLOWED.includes(instance.status)) {
      throw new AppError("INVALID_STATE", `Cannot back up an instance that is ${instance.status.toLowerCase().replace("_", " ")}.`);
    }
    if (options.manualLimit !== undefined) {
      const today = await tx.backup.count({ where: { instanceId, kind: "MANUAL", createdAt: { gte: startOfUtcDay(new Date()) } } });
      if (today >= options.manualLimit) {
        const message = `Your plan allows ${options.manualLimit} manual backup${options.manualLimit === 1 ? "" : "s"} per instance per day; try again tomorrow or change to a larger plan.`;
        throw new AppError("PLAN_LIMIT", message, { planId: [message] });
      }
    }
    const backup = await tx.backup.create({
      data: { instanceId, kind, odooSeries: instance.odooVersion, requestedBy },
      select: BACKUP_SELECT,
    });
    return { backup, created: true };
  });
  if (result.created) {
    // The record says what is wanted; a queue outage leaves it PENDING for the scheduler to retry.
    await enqueueBackup(result.backup.id).catch((error: unknown) =>
      logger.warn({ err: error, backupId: result.backup.id }, "could not queue the backup"),
    );
  }
  return result;
}

async function ownedInstance(actor: UserActor, instanceId: string) {
  const instance = await db.instance.findFirst({ where: { id: instanceId, ...instanceScope(actor) }, include: { plan: true } });
  if (!instance) throw new AppError("NOT_FOUND", "Instance not found.");
  return instance;
}

/** A backup the actor may see (through its instance), or NOT_FOUND. */
export async function ownedBackup(actor: UserActor, backupId: string) {
  const backup = await db.backup.findFirst({ where: { id: backupId, instance: instanceScope(actor) }, select: BACKUP_SELECT });
  if (!backup) throw new AppError("NOT_FOUND", "Backup not found.");
  return backup;
}

export async function requestManualBackup(actor: UserActor, instanceId: string) {
  const instance = await ownedInstance(actor, instanceId);
  const { backup, created } = await createBackup(instance.id, "MANUAL", actorLabel(actor), {
    manualLimit: instance.plan.manualBackupsPerDay,
  });
  if (created) await recordAudit({ actor, action: "backup.create", targetType: "backup", targetId: backup.id });
  return presentBackup(backup);
}

export async function listBackups(actor: UserActor, instanceId: string) {
  const instance = await ownedInstance(actor, instanceId);
  const backups = await db.backup.findMany({
    where: { instanceId: instance.id },
    select: BACKUP_SELECT,
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return backups.map(presentBackup);
}

/** Removes every stored copy, then the record. A backup still running cannot be deleted. */
export async function deleteBackupArchive(backupId: string): Promise<void> {
  const copies = await db.backupCopy.findMany({ where: { backupId } });
  for (const copy of copies) {
    const storage = storageNamed(copy.storage);
    if (storage) await storage.delete(copy.key);
  }
  await db.backup.delete({ where: { id: backupId } });
}

export async function deleteBackup(actor: UserActor, backupId: string) {
  const backup = await ownedBackup(actor, backupId);
  if (backup.status === "PENDING" || backup.status === "RUNNING") {
    throw new AppError("INVALID_STATE", "This backup is still running; delete it once it has finished.");
  }
  await deleteBackupArchive(backup.id);
  await recordAudit({ actor, action: "backup.delete", targetType: "backup", targetId: backup.id });
  return { id: backup.id };
}

/** Where to read a finished backup's archive from: the first storage holding a copy. */
export async function archiveLocation(backupId: string) {
  const copies = await db.backupCopy.findMany({ where: { backupId, status: "STORED" }, orderBy: { storage: "asc" } });
  for (const copy of copies) {
    const storage = storageNamed(copy.storage);
    if (storage) return { storage, key: copy.key };
  }
  throw new AppError("NOT_FOUND", "No stored copy of this backup is available.");
}

/**
 * A finished backup's archive for download, with Odoo's file naming
 * (`<name>_<YYYY-MM-DD_HH-MM-SS>.zip`). Another customer's backup is NOT_FOUND.
 */
export async function openBackupDownload(actor: UserActor, backupId: string) {
  const backup = await ownedBackup(actor, backupId);
  if (backup.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", "This backup has not finished.");
  const instance = await db.instance.findUniqueOrThrow({ where: { id: backup.instanceId }, select: { subdomain: true, id: true } });
  const { storage, key } = await archiveLocation(backup.id);
  const stamp = backup.createdAt.toISOString().slice(0, 19).replace("T", "_").replaceAll(":", "-");
  await recordAudit({ actor, action: "backup.download", targetType: "backup", targetId: backup.id });
  return {
    stream: await storage.get(key),
    filename: `${instance.subdomain ?? instance.id}_${stamp}.zip`,
    sizeBytes: backup.sizeBytes === null ? null : Number(backup.sizeBytes),
  };
}
