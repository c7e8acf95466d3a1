/** The resource limits an instance takes from its plan (copied, so a later plan edit does not resize it). */
export function planLimits(plan: { id: string; cpu: number; memoryMb: number; storageGb: number }) {
  return { planId: plan.id, cpuLimit: plan.cpu, memoryMb: plan.memoryMb, storageGb: plan.storageGb };
}
