import type { UserActor } from "../../auth/actor";
import { db } from "../../db";
import { ZUpdateProfileInput } from "./schemas";

export async function updateProfile(actor: UserActor, input: unknown) {
  const data = ZUpdateProfileInput.parse(input);
  return db.user.update({
    where: { id: actor.userId },
    data,
    select: { id: true, name: true, company: true },
  });
}
