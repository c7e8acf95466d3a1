import type { InstanceStatus } from "../../generated/prisma/enums";

/**
 * The instance state machine. Status tells what is really running: actions move an instance
 * into a transitional status, the worker and the reconciler move it to what they observe.
 */
export const TRANSITIONS: Record<InstanceStatus, readonly InstanceStatus[]> = {
  PENDING_PAYMENT: ["PROVISIONING", "DELETING"],
  PROVISIONING: ["STARTING", "RUNNING", "ERROR", "DELETING", "SUSPENDED"],
  STARTING: ["RUNNING", "UNHEALTHY", "STOPPED", "ERROR", "STOPPING", "DELETING", "SUSPENDED", "PROVISIONING"],
  RUNNING: ["UNHEALTHY", "STOPPING", "STOPPED", "RESTARTING", "RESTORING", "ERROR", "DELETING", "SUSPENDED", "STARTING"],
  UNHEALTHY: ["RUNNING", "STOPPING", "STOPPED", "RESTARTING", "RESTORING", "ERROR", "DELETING", "SUSPENDED", "STARTING"],
  STOPPING: ["STOPPED", "RUNNING", "ERROR", "DELETING"],
  STOPPED: ["STARTING", "RUNNING", "RESTORING", "DELETING", "SUSPENDED", "ERROR"],
  RESTARTING: ["STARTING", "RUNNING", "UNHEALTHY", "STOPPED", "ERROR", "DELETING", "SUSPENDED"],
  /** A restore in place: the job returns the instance to RUNNING or STOPPED (or ERROR). */
  RESTORING: ["RUNNING", "STOPPED", "UNHEALTHY", "ERROR"],
  SUSPENDED: ["STARTING", "PROVISIONING", "DELETING"],
  DELETING: ["DELETED", "ERROR"],
  DELETED: [],
  ERROR: ["PROVISIONING", "STARTING", "RUNNING", "STOPPED", "DELETING", "SUSPENDED"],
};

/** Statuses an instance can be suspended from (billing or an admin suspending its owner). */
export const SUSPENDABLE: readonly InstanceStatus[] = ["PROVISIONING", "STARTING", "RUNNING", "UNHEALTHY", "STOPPED", "RESTARTING", "ERROR"];

export function canTransition(from: InstanceStatus, to: InstanceStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** Statuses in which the worker is still working; the reconciler re-enqueues them past a deadline. */
export const TRANSITIONAL: readonly InstanceStatus[] = ["PROVISIONING", "STARTING", "STOPPING", "RESTARTING", "RESTORING", "DELETING"];

/** Which customer actions each status allows. */
export const ACTIONS_ALLOWED = {
  start: ["STOPPED", "ERROR"],
  stop: ["RUNNING", "UNHEALTHY", "STARTING"],
  restart: ["RUNNING", "UNHEALTHY"],
  delete: ["PENDING_PAYMENT", "PROVISIONING", "STARTING", "RUNNING", "UNHEALTHY", "STOPPED", "ERROR", "SUSPENDED"],
} as const satisfies Record<string, readonly InstanceStatus[]>;

export type InstanceAction = keyof typeof ACTIONS_ALLOWED;
