import { logger } from "../../logger";
import type { ContainerRuntime } from "../../runtime/container-runtime";
import { observeInstance } from "./observe-instance";

/** Engine events come in bursts (kill, die, stop…): look once they settle. */
const SETTLE_MS = 300;
const BOOT_POLL_MS = 1_000;

/**
 * Follows the engine's container events so an instance's status changes within seconds of its
 * container dying or starting behind the platform's back. The reconciler catches anything
 * missed while the stream was down.
 */
export function followEngineEvents(runtime: ContainerRuntime, signal: AbortSignal): void {
  const pending = new Map<string, NodeJS.Timeout>();
  signal.addEventListener("abort", () => {
    for (const timer of pending.values()) clearTimeout(timer);
    pending.clear();
  });
  // Observe once events settle; while the instance is booting (STARTING), look again every
  // second: Odoo becoming healthy is not an engine event.
  const look = (instanceId: string, delayMs: number) => {
    clearTimeout(pending.get(instanceId));
    pending.set(
      instanceId,
      setTimeout(() => {
        pending.delete(instanceId);
        observeInstance(instanceId, { actor: "system:engine-events" })
          .then((result) => {
            if (result?.status === "STARTING" && !signal.aborted) look(instanceId, BOOT_POLL_MS);
          })
          .catch((error: unknown) => logger.error({ err: error, instanceId }, "could not update status from an engine event"));
      }, delayMs),
    );
  };
  void runtime.watchEvents(
    (event) => {
      const instanceId = event.instanceId;
      if (!instanceId || signal.aborted) return;
      look(instanceId, SETTLE_MS);
    },
    { signal },
  );
}
