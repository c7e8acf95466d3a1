import { env } from "../../env";
import { containerRuntime } from "../../runtime";
import { odooContainerName } from "./odoo-container-spec";
import { instanceUrls, probeOdooHealth } from "./odoo-health";

export type BootOutcome =
  | { kind: "healthy"; url: string | null }
  | { kind: "exited"; exitCode: number | null; oomKilled: boolean }
  | { kind: "timeout" };

/** Probe often while a quick boot is likely, then back off for long first boots. */
const FAST_PROBE_MS = 50;
const FAST_PHASE_MS = 5_000;
const SLOW_PROBE_MAX_MS = 500;
/** How stale the engine's view may get between probes: exits and new ports are seen this fast. */
const INSPECT_EVERY_MS = 500;

/**
 * Polls Odoo's health until it answers, the container exits, or the first-boot timeout passes:
 * every 50 ms for the first 5 s (a refused connection costs a millisecond, and each round of
 * delay is added to every boot), then with backoff up to 500 ms. The container is re-inspected
 * at most every 500 ms (an engine call is far dearer than a local probe, and ten instances
 * booting at once would queue on the engine): a restarted container may have a new published
 * port, and an exited one ends the wait.
 */
export async function waitUntilHealthy(
  instance: { id: string; subdomain: string | null },
  timeoutMs = env().FIRST_BOOT_TIMEOUT_SECONDS * 1000,
): Promise<BootOutcome> {
  const began = Date.now();
  const deadline = began + timeoutMs;
  let urls: { probeUrl: string | null; publicUrl: string | null } = { probeUrl: null, publicUrl: null };
  let inspectedAt = Number.NEGATIVE_INFINITY;
  let delay = FAST_PROBE_MS;
  for (;;) {
    if (!urls.probeUrl || Date.now() - inspectedAt >= INSPECT_EVERY_MS) {
      const container = await containerRuntime().inspectContainer(odooContainerName(instance.id));
      inspectedAt = Date.now();
      if (!container) return { kind: "exited", exitCode: null, oomKilled: false };
      if (!container.running && container.status !== "created") {
        return { kind: "exited", exitCode: container.exitCode, oomKilled: container.oomKilled === true };
      }
      urls = instanceUrls(instance, container);
    }
    if (urls.probeUrl && (await probeOdooHealth(urls.probeUrl))) return { kind: "healthy", url: urls.publicUrl };
    if (Date.now() >= deadline) return { kind: "timeout" };
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    if (Date.now() - began >= FAST_PHASE_MS) delay = Math.min(Math.round(Math.max(delay, 100) * 1.5), SLOW_PROBE_MAX_MS);
  }
}
