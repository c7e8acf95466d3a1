import type { UserActor } from "../../auth/actor";
import { deleteUserSessions } from "../../auth/sessions";
import { recordAudit } from "../../audit/record-audit";

/** Ends every session of the user, this one included. */
export async function logOutEverywhere(actor: UserActor): Promise<{ endedSessions: number }> {
  const endedSessions = await deleteUserSessions(actor.userId);
  await recordAudit({ actor, action: "user.log-out-everywhere", targetType: "user", targetId: actor.userId, details: { endedSessions } });
  return { endedSessions };
}
