import type { UserActor } from "../../auth/actor";

/**
 * Billing rows an actor may see and pay: always their own (an admin paying is a customer paying
 * their own invoices; admins read others' billing through the admin views). A miss is NOT_FOUND.
 */
export function billingScope(actor: UserActor): { userId: string } {
  return { userId: actor.userId };
}
