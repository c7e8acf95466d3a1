import type { UserActor } from "../../auth/actor";
import { db } from "../../db";
import { AppError } from "../../errors";
import { subscriptionSummary } from "../billing/read-billing";

export async function getProfile(actor: UserActor) {
  const user = await db.user.findUnique({
    where: { id: actor.userId },
    select: { id: true, email: true, name: true, company: true, role: true, createdAt: true },
  });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  const instanceCount = await db.instance.count({ where: { ownerId: actor.userId, status: { not: "DELETED" } } });
  return {
    ...user,
    instanceCount,
    subscriptions: await subscriptionSummary(actor.userId),
  };
}
