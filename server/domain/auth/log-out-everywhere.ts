import type { UserActor } from "../../auth/actor";
import { deleteUserSessions } from "../../auth/sessions";

/** Ends every session of the user, this one included. */
export async function logOutEverywhere(actor: UserActor): Promise<{ endedSessions: number }> {
  return { endedSessions: await deleteUserSessions(actor.userId) };
}
