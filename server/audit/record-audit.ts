import { actorLabel, type Actor } from "../auth/actor";
import { db } from "../db";
import type { Prisma } from "../generated/prisma/client";

/** Appends one row to the audit log (append-only at the database level). */
export async function recordAudit(entry: {
  actor: Actor;
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Prisma.InputJsonValue;
}): Promise<void> {
  await db.auditLog.create({
    data: {
      actor: actorLabel(entry.actor),
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      ip: entry.actor.kind === "user" ? (entry.actor.ip ?? null) : null,
      details: entry.details ?? {},
    },
  });
}
