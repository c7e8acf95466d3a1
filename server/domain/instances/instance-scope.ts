import type { UserActor } from "../../auth/actor";
import type { Prisma } from "../../generated/prisma/client";

/**
 * Which instances an actor may see: customers their own live ones, admins all. A miss is
 * NOT_FOUND, never FORBIDDEN, so ids of other tenants' instances are not revealed.
 */
export function instanceScope(actor: UserActor): Prisma.InstanceWhereInput {
  const live: Prisma.InstanceWhereInput = { status: { not: "DELETED" } };
  return actor.role === "ADMIN" ? live : { ...live, ownerId: actor.userId };
}

/** Fields an API may return: never the database password or credentials. */
export const PUBLIC_INSTANCE_SELECT = {
  id: true,
  ownerId: true,
  name: true,
  subdomain: true,
  odooVersion: true,
  planId: true,
  status: true,
  statusMessage: true,
  statusChangedAt: true,
  adminEmail: true,
  demoData: true,
  customAddons: true,
  envVars: true,
  cpuLimit: true,
  memoryMb: true,
  storageGb: true,
  url: true,
  dbName: true,
  initializedAt: true,
  odooLang: true,
  odooTimezone: true,
  odooLoginSetAt: true,
  odooPasswordNoticeAt: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.InstanceSelect;
