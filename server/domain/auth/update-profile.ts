import type { UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { ZUpdateProfileInput } from "./schemas";

export async function updateProfile(actor: UserActor, input: unknown) {
  const data = ZUpdateProfileInput.parse(input);
  const user = await db.user.update({
    where: { id: actor.userId },
    data,
    select: { id: true, name: true, company: true },
  });
  await recordAudit({ actor, action: "user.update-profile", targetType: "user", targetId: actor.userId });
  return user;
}
