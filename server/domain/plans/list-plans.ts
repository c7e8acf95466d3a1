import { db } from "../../db";

/** Plans with their resource limits. Prices come from the billing provider (billing issue). */
export async function listPlans() {
  return db.plan.findMany({
    orderBy: { sortOrder: "asc" },
    select: { id: true, displayName: true, cpu: true, memoryMb: true, storageGb: true, maxInstances: true, allowedSeries: true },
  });
}
