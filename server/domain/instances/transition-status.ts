import { db } from "../../db";
import type { InstanceEventType, InstanceStatus } from "../../generated/prisma/enums";
import type { Prisma } from "../../generated/prisma/client";
import { canTransition } from "./instance-status";

export type StatusChange = {
  to: InstanceStatus;
  /** Only change when the current status is one of these (compare-and-set). */
  from?: readonly InstanceStatus[];
  message: string;
  actor: string;
  /** Other columns to set in the same update (url, containerId, initializedAt…). */
  data?: Prisma.InstanceUpdateManyMutationInput;
};

/**
 * Moves an instance to a new status atomically: the update only applies when the status is
 * still one it may leave for `to`, so two concurrent actions cannot both win. Appends the
 * timeline event in the same transaction. Returns false when the instance was not in an
 * allowed status (the caller decides whether that is an error).
 */
export async function transitionStatus(instanceId: string, change: StatusChange): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const current = await tx.instance.findUnique({ where: { id: instanceId }, select: { status: true } });
    if (!current) return false;
    const allowedFrom = change.from ?? null;
    if (allowedFrom && !allowedFrom.includes(current.status)) return false;
    if (!canTransition(current.status, change.to)) return false;
    const { count } = await tx.instance.updateMany({
      where: { id: instanceId, status: current.status },
      data: {
        ...change.data,
        status: change.to,
        statusMessage: change.message,
        ...(current.status !== change.to ? { statusChangedAt: new Date() } : {}),
      },
    });
    if (count !== 1) return false;
    if (current.status !== change.to) {
      await tx.instanceEvent.create({
        data: {
          instanceId,
          type: "STATUS",
          fromStatus: current.status,
          toStatus: change.to,
          message: change.message,
          actor: change.actor,
        },
      });
    }
    return true;
  });
}

export async function recordInstanceEvent(
  instanceId: string,
  type: Exclude<InstanceEventType, "STATUS">,
  message: string,
  actor: string,
): Promise<void> {
  await db.instanceEvent.create({ data: { instanceId, type, message, actor } });
}
