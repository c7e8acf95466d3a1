import { db } from "../../db";
import { InstanceStatus } from "../../generated/prisma/enums";

/** Instances per status; every status is present, 0 when no instance has it. */
export async function countInstancesByStatus(): Promise<Record<InstanceStatus, number>> {
  const groups = await db.instance.groupBy({ by: ["status"], _count: true });
  const counts = Object.fromEntries(Object.values(InstanceStatus).map((status) => [status, 0])) as Record<
    InstanceStatus,
    number
  >;
  for (const group of groups) counts[group.status] = group._count;
  return counts;
}
