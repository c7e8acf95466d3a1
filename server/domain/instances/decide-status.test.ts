import { describe, expect, it } from "vitest";
import { decideStatus, type Observation } from "./decide-status";

const running = (healthy: boolean | null, bootDeadlinePassed = false, startedAfterStatusChange = true): Observation => ({
  container: { running: true, created: false, exitCode: null, oomKilled: false },
  healthy,
  bootDeadlinePassed,
  startedAfterStatusChange,
});
const exited = (exitCode: number, oomKilled = false): Observation => ({
  container: { running: false, created: false, exitCode, oomKilled },
  healthy: null,
  bootDeadlinePassed: false,
});

describe("decideStatus", () => {
  it("leaves job-owned statuses alone", () => {
    for (const status of ["PROVISIONING", "DELETING", "DELETED", "PENDING_PAYMENT", "SUSPENDED"] as const) {
      expect(decideStatus(status, exited(1))).toBeNull();
    }
  });

  it("a healthy running container is RUNNING, from any observable status", () => {
    for (const status of ["STARTING", "UNHEALTHY", "STOPPED", "ERROR", "RESTARTING"] as const) {
      expect(decideStatus(status, running(true))?.status).toBe("RUNNING");
    }
    expect(decideStatus("RUNNING", running(true))).toBeNull();
  });

  it("a slow first boot stays STARTING until the deadline, then UNHEALTHY, never ERROR", () => {
    expect(decideStatus("STARTING", running(false))).toBeNull();
    expect(decideStatus("STARTING", running(false, true))?.status).toBe("UNHEALTHY");
    expect(decideStatus("UNHEALTHY", running(true))?.status).toBe("RUNNING");
  });

  it("a container started behind the platform's back is STARTING until Odoo answers", () => {
    expect(decideStatus("STOPPED", running(false))?.status).toBe("STARTING");
    expect(decideStatus("ERROR", running(null))?.status).toBe("STARTING");
  });

  it("a running instance that stops answering is UNHEALTHY", () => {
    expect(decideStatus("RUNNING", running(false))?.status).toBe("UNHEALTHY");
  });

  it("a stopped container is STOPPED; a crash is ERROR with its exit code", () => {
    expect(decideStatus("RUNNING", exited(0))?.status).toBe("STOPPED");
    expect(decideStatus("RUNNING", exited(143))?.status).toBe("STOPPED");
    expect(decideStatus("RUNNING", exited(137))).toEqual({
      status: "ERROR",
      message: "The container was killed (exit code 137), possibly out of memory.",
    });
    expect(decideStatus("RUNNING", exited(1))).toEqual({ status: "ERROR", message: "The container exited with code 1." });
    expect(decideStatus("RUNNING", exited(137, true))?.message).toMatch(/out of memory/);
    expect(decideStatus("STOPPING", exited(137))?.status).toBe("STOPPED");
  });

  it("a stop in progress is not overruled by the old process still answering", () => {
    expect(decideStatus("STOPPING", running(true))).toBeNull();
    expect(decideStatus("STOPPING", running(false))).toBeNull();
    expect(decideStatus("STOPPING", exited(143))?.status).toBe("STOPPED");
  });

  it("a restart in progress is RUNNING only once the restarted process answers", () => {
    // The old process, before the restart stopped it: healthy, but not the restart's outcome.
    expect(decideStatus("RESTARTING", running(true, false, false))).toBeNull();
    // The restart's own stop, clean or killed: the job records how the restart ends.
    expect(decideStatus("RESTARTING", exited(143))).toBeNull();
    expect(decideStatus("RESTARTING", exited(137))).toBeNull();
    expect(decideStatus("RESTARTING", running(true, false, true))?.status).toBe("RUNNING");
    expect(decideStatus("RESTARTING", running(false, true, true))?.status).toBe("UNHEALTHY");
    expect(decideStatus("RESTARTING", running(false, true, false))?.status).toBe("UNHEALTHY");
  });

  it("a container being replaced by a job is not drift", () => {
    const absent = { container: null, healthy: null, bootDeadlinePassed: false };
    const created = { container: { running: false, created: true, exitCode: null, oomKilled: false }, healthy: null, bootDeadlinePassed: false };
    for (const status of ["STARTING", "RESTARTING", "STOPPING"] as const) {
      expect(decideStatus(status, absent)).toBeNull();
      expect(decideStatus(status, created)).toBeNull();
    }
  });

  it("a missing container is ERROR", () => {
    expect(decideStatus("RUNNING", { container: null, healthy: null, bootDeadlinePassed: false })?.status).toBe("ERROR");
  });
});
