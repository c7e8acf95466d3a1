import { platformMetrics, type ProvisioningOutcome } from "./registry";

const OUTCOME: Record<string, ProvisioningOutcome> = { RUNNING: "running", UNHEALTHY: "unhealthy", ERROR: "error" };

/**
 * Records how long provisioning took, from `since` (when the instance entered PROVISIONING)
 * to the status it ended in. Other statuses (the instance was deleted meanwhile) are ignored.
 */
export function observeProvisioning(status: string, since: Date): void {
  const outcome = OUTCOME[status];
  if (!outcome) return;
  const seconds = Math.max(0, (Date.now() - since.getTime()) / 1000);
  platformMetrics().provisioningDuration.observe({ outcome }, seconds);
}
