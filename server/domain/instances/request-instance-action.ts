import { actorLabel, type UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { logger } from "../../logger";
import { AppError } from "../../errors";
import type { InstanceStatus } from "../../generated/prisma/enums";
import { enqueueInstanceJob, JOB, queueSubscriptionCancel, type InstanceJobName } from "../../queue/queues";
import { ACTIONS_ALLOWED, type InstanceAction } from "./instance-status";
import { instanceScope } from "./instance-scope";
import { transitionStatus } from "./transition-status";

const ACTION: Record<InstanceAction, { to: InstanceStatus; job: InstanceJobName; message: string }> = {
  start: { to: "STARTING", job: JOB.startInstance, message: "Start requested" },
  stop: { to: "STOPPING", job: JOB.stopInstance, message: "Stop requested" },
  restart: { to: "RESTARTING", job: JOB.restartInstance, message: "Restart requested" },
  delete: { to: "DELETING", job: JOB.deleteInstance, message: "Deletion requested" },
};

/**
 * Start, stop, restart or delete. The status moves to the transitional one atomically, so a
 * second action on the same instance while one is under way is refused with INVALID_STATE:
 * actions on one instance are serialized by the state machine itself.
 */
export async function requestInstanceAction(actor: UserActor, instanceId: string, action: InstanceAction) {
  const instance = await db.instance.findFirst({
    where: { id: instanceId, ...instanceScope(actor) },
    select: { id: true, status: true, initializedAt: true },
  });
  if (!instance) throw new AppError("NOT_FOUND", "Instance not found.");
  const allowed: readonly InstanceStatus[] = ACTIONS_ALLOWED[action];
  if (!allowed.includes(instance.status)) {
    throw new AppError("INVALID_STATE", `Cannot ${action} an instance that is ${instance.status.toLowerCase().replace("_", " ")}.`);
  }
  // A start after a failed first provisioning finishes the provisioning instead.
  const plan =
    action === "start" && !instance.initializedAt
      ? { to: "PROVISIONING" as const, job: JOB.provisionInstance, message: "Provisioning retried" }
      : ACTION[action];
  const moved = await transitionStatus(instance.id, {
    to: plan.to,
    from: allowed,
    message: plan.message,
    actor: actorLabel(actor),
  });
  if (!moved) throw new AppError("INVALID_STATE", "The instance changed meanwhile; reload and try again.");
  // The status already says what is wanted; if Redis is down the reconciler enqueues it later.
  await enqueueInstanceJob(plan.job, instance.id).catch((error: unknown) =>
    logger.warn({ err: error, instanceId: instance.id, job: plan.job }, "could not queue the action; the reconciler will"),
  );
  // A deleted instance is no longer billed.
  if (action === "delete") await queueSubscriptionCancel(instance.id);
  await recordAudit({ actor, action: `instance.${action}`, targetType: "instance", targetId: instance.id });
  return { id: instance.id, status: plan.to };
}
