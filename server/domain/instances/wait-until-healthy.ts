import { env } from "../../env";
import { containerRuntime } from "../../runtime";
import { odooContainerName } from "./odoo-container-spec";
import { instanceUrls, probeOdooHealth } from "./odoo-health";

export type BootOutcome =
  | { kind: "healthy"; url: string | null }
  | { kind: "exited"; exitCode: number | null; oomKilled: boolean }
  | { kind: "timeout" };

/**
 * Polls Odoo's health with backoff (100 ms growing to 500 ms) until it answers, the container
 * exits, or the first-boot timeout passes. Re-inspects each round: a restarted container may
 * have a new published port.
 */
export async function waitUntilHealthy(
  instance: { id: string; subdomain: string | null },
  timeoutMs = env().FIRST_BOOT_TIMEOUT_SECONDS * 1000,
): Promise<BootOutcome> {
  const deadline = Date.now() + timeoutMs;
  // A short cap keeps "healthy" to "RUNNING recorded" under a second; a probe is one local GET.
  let delay = 100;
  for (;;) {
    const container = await containerRuntime().inspectContainer(odooContainerName(instance.id));
    if (!container) return { kind: "exited", exitCode: null, oomKilled: false };
    if (!container.running && container.status !== "created") {
      return { kind: "exited", exitCode: container.exitCode, oomKilled: container.oomKilled === true };
    }
    const { probeUrl, publicUrl } = instanceUrls(instance, container);
    if (probeUrl && (await probeOdooHealth(probeUrl))) return { kind: "healthy", url: publicUrl };
    if (Date.now() >= deadline) return { kind: "timeout" };
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(Math.round(delay * 1.5), 500);
  }
}
