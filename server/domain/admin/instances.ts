import { z } from "zod";
import { actorLabel, type UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import { InstanceStatus } from "../../generated/prisma/enums";
import { enqueueInstanceJob, JOB } from "../../queue/queues";
import { canTransition } from "../instances/instance-status";
import { requestInstanceAction } from "../instances/request-instance-action";
import { transitionStatus } from "../instances/transition-status";

const ZStatus = z.enum(Object.values(InstanceStatus) as [InstanceStatus, ...InstanceStatus[]]);

export const ZAdminInstanceFilter = z.object({
  status: ZStatus.optional(),
  odooVersion: z.string().max(10).optional(),
  planId: z.string().max(64).optional(),
  dbServerId: z.string().max(64).optional(),
  query: z.string().trim().max(200).optional(),
});
export const ZAdminInstanceAction = z.object({ id: z.string().min(1).max(64), action: z.enum(["start", "stop", "restart", "delete"]) });
export const ZMoveToStatus = z.object({
  id: z.string().min(1).max(64),
  status: ZStatus,
  reason: z.string().trim().min(3, { message: "Say why (at least 3 characters)" }).max(500),
});

/** Instances across all customers (live ones, or DELETED when asked for explicitly). */
export async function listAllInstances(filter: z.infer<typeof ZAdminInstanceFilter>) {
  return db.instance.findMany({
    where: {
      status: filter.status ?? { not: "DELETED" },
      ...(filter.odooVersion ? { odooVersion: filter.odooVersion } : {}),
      ...(filter.planId ? { planId: filter.planId } : {}),
      ...(filter.dbServerId ? { dbServerId: filter.dbServerId } : {}),
      ...(filter.query
        ? {
            OR: [
              { name: { contains: filter.query, mode: "insensitive" as const } },
              { subdomain: { contains: filter.query, mode: "insensitive" as const } },
              { owner: { email: { contains: filter.query, mode: "insensitive" as const } } },
            ],
          }
        : {}),
    },
    orderBy: { createdAt: "desc" },
    take: 500,
    select: {
      id: true,
      name: true,
      subdomain: true,
      status: true,
      statusMessage: true,
      odooVersion: true,
      planId: true,
      url: true,
      createdAt: true,
      owner: { select: { id: true, email: true } },
      dbServer: { select: { id: true, name: true } },
    },
  });
}

/** The customers' actions, on any instance (the action itself records the audit entry). */
export async function adminInstanceAction(actor: UserActor, input: z.infer<typeof ZAdminInstanceAction>) {
  return requestInstanceAction(actor, input.id, input.action);
}

/** ERROR before the first boot: provision again (the steps reuse what already exists). */
export async function retryProvisioning(actor: UserActor, id: string) {
  const instance = await db.instance.findUnique({ where: { id }, select: { status: true, initializedAt: true } });
  if (!instance) throw new AppError("NOT_FOUND", "Instance not found.");
  if (instance.status !== "ERROR" || instance.initializedAt) {
    throw new AppError("INVALID_STATE", "Only an instance whose provisioning failed can be provisioned again.");
  }
  await transitionStatus(id, { to: "PROVISIONING", from: ["ERROR"], message: "Provisioning retried by an admin", actor: actorLabel(actor) });
  await enqueueInstanceJob(JOB.provisionInstance, id);
  await recordAudit({ actor, action: "instance.retry-provisioning", targetType: "instance", targetId: id });
  return { id, status: "PROVISIONING" as const };
}

/** Manual repair: only along the state machine's allowed transitions, with a reason on record. */
export async function moveInstanceToStatus(actor: UserActor, input: z.infer<typeof ZMoveToStatus>) {
  const instance = await db.instance.findUnique({ where: { id: input.id }, select: { status: true } });
  if (!instance) throw new AppError("NOT_FOUND", "Instance not found.");
  if (!canTransition(instance.status, input.status) || instance.status === input.status) {
    throw new AppError("INVALID_STATE", `${instance.status} cannot move to ${input.status}.`, {
      status: [`Not allowed from ${instance.status}`],
    });
  }
  const moved = await transitionStatus(input.id, {
    to: input.status,
    from: [instance.status],
    message: `Moved by an admin: ${input.reason}`,
    actor: actorLabel(actor),
  });
  if (!moved) throw new AppError("INVALID_STATE", "The instance changed meanwhile; reload and try again.");
  await recordAudit({
    actor,
    action: "instance.move-to-status",
    targetType: "instance",
    targetId: input.id,
    details: { from: instance.status, to: input.status, reason: input.reason },
  });
  return { id: input.id, status: input.status };
}
