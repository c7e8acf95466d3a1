/** Who is acting: a signed-in user (customer or admin) or the system (worker, billing). */
export type Actor =
  | { kind: "user"; userId: string; role: "CUSTOMER" | "ADMIN"; sessionId: string; ip?: string }
  | { kind: "system"; name: string };

export type UserActor = Extract<Actor, { kind: "user" }>;

/** How an actor is written in timelines and the audit log: `user:<id>`, `admin:<id>`, `system:<name>`. */
export const actorLabel = (actor: { kind: "user"; userId: string; role: string } | { kind: "system"; name: string }) =>
  actor.kind === "system" ? `system:${actor.name}` : `${actor.role === "ADMIN" ? "admin" : "user"}:${actor.userId}`;
