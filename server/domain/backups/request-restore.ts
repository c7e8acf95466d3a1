import { z } from "zod";
import { actorLabel, type UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import { enqueueRestore } from "../../queue/queues";
import { createInstance } from "../instances/create-instance";
import { ZOdooAdminPassword, ZSubdomain } from "../instances/schemas";
import { transitionStatus } from "../instances/transition-status";
import { RESTORABLE_IN_PLACE } from "./backup-rules";
import { ownedBackup } from "./manage-backups";

export const ZRestoreInput = z.discriminatedUnion("target", [
  z.object({
    backupId: z.string().min(1).max(64),
    target: z.literal("new"),
    name: z.string().trim().min(1, { message: "Give the new instance a name" }).max(64, { message: "At most 64 characters" }),
    subdomain: ZSubdomain,
    /** The new instance's Odoo administrator password; generated (and shown once) when left out. */
    adminPassword: ZOdooAdminPassword,
  }),
  z.object({
    backupId: z.string().min(1).max(64),
    target: z.literal("in-place"),
    /** The instance's subdomain, typed by the customer to confirm they mean to overwrite it. */
    confirmSubdomain: z.string().trim().max(64),
  }),
]);

/**
 * Starts a restore. Into a new instance (the default in the UI): a new instance of the same
 * owner, plan and series is provisioned from the backup instead of `-i base`; the source is not
 * touched. In place: after the customer typed the subdomain, the instance moves to RESTORING
 * and the restore job takes over.
 */
export async function requestRestore(actor: UserActor, input: unknown) {
  const data = ZRestoreInput.parse(input);
  const backup = await ownedBackup(actor, data.backupId);
  if (backup.status !== "SUCCEEDED") throw new AppError("INVALID_STATE", "Only a finished backup can be restored.");
  const source = await db.instance.findUniqueOrThrow({ where: { id: backup.instanceId } });

  if (data.target === "new") {
    const instance = await createInstance(
      actor,
      {
        name: data.name,
        subdomain: data.subdomain,
        odooVersion: backup.odooSeries,
        planId: source.planId,
        envVars: source.envVars ?? {},
        adminEmail: source.adminEmail,
        adminPassword: data.adminPassword,
      },
      { restoreFromBackupId: backup.id },
    );
    const restore = await db.backupRestore.create({
      data: { backupId: backup.id, targetInstanceId: instance.id, inPlace: false, status: "RUNNING", requestedBy: actorLabel(actor) },
    });
    await recordAudit({ actor, action: "backup.restore", targetType: "backup", targetId: backup.id, details: { into: instance.id } });
    return {
      restoreId: restore.id,
      instanceId: instance.id,
      ...(instance.generatedOdooPassword ? { generatedOdooPassword: instance.generatedOdooPassword } : {}),
    };
  }

  if (data.confirmSubdomain !== source.subdomain) {
    throw new AppError("VALIDATION", "Type the instance's subdomain to confirm.", {
      confirmSubdomain: [`Type ${source.subdomain} to confirm that its current data is replaced`],
    });
  }
  if (!RESTORABLE_IN_PLACE.includes(source.status)) {
    throw new AppError("INVALID_STATE", `Cannot restore an instance that is ${source.status.toLowerCase().replace("_", " ")}.`);
  }
  const restore = await db.backupRestore.create({
    data: { backupId: backup.id, targetInstanceId: source.id, inPlace: true, previousStatus: source.status, requestedBy: actorLabel(actor) },
  });
  const moved = await transitionStatus(source.id, {
    to: "RESTORING",
    from: RESTORABLE_IN_PLACE,
    message: `Restoring the backup of ${backup.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    actor: actorLabel(actor),
  });
  if (!moved) {
    await db.backupRestore.delete({ where: { id: restore.id } });
    throw new AppError("INVALID_STATE", "The instance changed meanwhile; reload and try again.");
  }
  await enqueueRestore(restore.id);
  await recordAudit({ actor, action: "backup.restore", targetType: "backup", targetId: backup.id, details: { into: source.id, inPlace: true } });
  return { restoreId: restore.id, instanceId: source.id };
}
