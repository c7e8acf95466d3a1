import type { InstanceStatus } from "../../generated/prisma/enums";

export type ObservedContainer = {
  running: boolean;
  /** Created but never started yet. */
  created: boolean;
  exitCode: number | null;
  oomKilled: boolean;
};

export type Observation = {
  /** null when the engine has no container for the instance. */
  container: ObservedContainer | null;
  /** Odoo's /web/health answered 200 (null when not probed, e.g. the container is not running). */
  healthy: boolean | null;
  /** The instance has been STARTING/RESTARTING for longer than it may take to boot. */
  bootDeadlinePassed: boolean;
  /**
   * The running container's process started after the instance entered its current status
   * (false when unknown). Tells a restarted Odoo from the old one still serving its last requests.
   */
  startedAfterStatusChange?: boolean;
};

/** Statuses a job owns: observations never overrule the worker while it is busy there. */
const JOB_OWNED: readonly InstanceStatus[] = ["PENDING_PAYMENT", "PROVISIONING", "RESTORING", "DELETING", "DELETED", "SUSPENDED"];

/**
 * What an instance's status should be, given what is really there. Returns null when the
 * status should stay as it is. Pure: the reconciler, the engine-event follower and
 * refreshStatus all decide through this one function.
 */
export function decideStatus(current: InstanceStatus, seen: Observation): { status: InstanceStatus; message: string } | null {
  if (JOB_OWNED.includes(current)) return null;
  const next = decide(current, seen);
  return next && next.status !== current ? next : null;
}

/** Statuses in which a job is replacing or starting the container right now. */
const IN_FLIGHT: readonly InstanceStatus[] = ["STARTING", "RESTARTING", "STOPPING"];

function decide(current: InstanceStatus, seen: Observation): { status: InstanceStatus; message: string } | null {
  const { container } = seen;
  // While a job recreates or starts the container, it may be briefly absent or only created:
  // that is not drift. The job records the outcome; the reconciler handles a job that died.
  if (IN_FLIGHT.includes(current) && (!container || container.created)) return null;
  if (!container) return { status: "ERROR", message: "The container is missing; start the instance to recreate it." };
  // A stop in progress: the old process may answer until it exits. Only its end is news.
  if (current === "STOPPING") return container.running ? null : { status: "STOPPED", message: "The container is stopped." };
  // A restart in progress stops the container and starts it again; until the new process
  // answers, what is seen is the restart itself (the job records how it ends).
  if (current === "RESTARTING" && (!container.running || !seen.startedAfterStatusChange)) {
    return seen.bootDeadlinePassed && container.running
      ? { status: "UNHEALTHY", message: "Odoo did not answer its health check in time; still watching." }
      : null;
  }
  if (!container.running) {
    if (container.oomKilled) return { status: "ERROR", message: "Odoo ran out of memory and was stopped (exit code 137)." };
    // 0 is a clean exit; 143 is SIGTERM, what a normal stop sends.
    if (container.exitCode === null || container.exitCode === 0 || container.exitCode === 143) {
      return { status: "STOPPED", message: "The container is stopped." };
    }
    if (container.exitCode === 137) {
      // SIGKILL: a kill from outside, or the kernel's OOM killer (not every engine reports OOM).
      return { status: "ERROR", message: "The container was killed (exit code 137), possibly out of memory." };
    }
    return { status: "ERROR", message: `The container exited with code ${container.exitCode}.` };
  }
  if (seen.healthy === true) return { status: "RUNNING", message: "Odoo is running." };
  if (current === "STOPPED" || current === "ERROR") {
    // Started outside the platform (or by the engine's restart policy): it is booting.
    return { status: "STARTING", message: "The container was started; waiting for Odoo to answer." };
  }
  if (current === "STARTING" || current === "RESTARTING") {
    return seen.bootDeadlinePassed
      ? { status: "UNHEALTHY", message: "Odoo did not answer its health check in time; still watching." }
      : null;
  }
  if (seen.healthy === false) return { status: "UNHEALTHY", message: "The container runs but Odoo does not answer its health check." };
  return null;
}
