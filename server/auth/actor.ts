/** Who is acting: a signed-in user (customer or admin) or the system (worker, billing). */
export type Actor =
  | { kind: "user"; userId: string; role: "CUSTOMER" | "ADMIN"; sessionId: string; ip?: string }
  | { kind: "system"; name: string };

export type UserActor = Extract<Actor, { kind: "user" }>;
