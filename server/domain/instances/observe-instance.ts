import { db } from "../../db";
import { env } from "../../env";
import type { InstanceStatus } from "../../generated/prisma/enums";
import { containerRuntime } from "../../runtime";
import type { ContainerState } from "../../runtime/container-runtime";
import { odooContainerName } from "./odoo-container-spec";
import { decideStatus } from "./decide-status";
import { syncOdooBaseUrl } from "./hand-over";
import { instanceUrls, probeOdooHealth } from "./odoo-health";
import { transitionStatus } from "./transition-status";

export type ObserveResult = { status: string; changed: boolean };

/**
 * Looks at what really runs for an instance (container state, Odoo's health) and makes the
 * stored status say so. `container` may be passed in when the caller listed containers
 * already (the reconciler), otherwise it is inspected.
 */
export const OBSERVED_FIELDS = {
  id: true,
  status: true,
  statusChangedAt: true,
  subdomain: true,
  url: true,
  odooBaseUrl: true,
  initializedAt: true,
} as const;
type ObservedInstance = {
  id: string;
  status: InstanceStatus;
  statusChangedAt: Date;
  subdomain: string | null;
  url: string | null;
  odooBaseUrl: string | null;
  initializedAt: Date | null;
};

export async function observeInstance(
  instanceId: string,
  options: { container?: ContainerState | null; actor?: string; instance?: ObservedInstance } = {},
): Promise<ObserveResult | null> {
  const instance = options.instance ?? (await db.instance.findUnique({ where: { id: instanceId }, select: OBSERVED_FIELDS }));
  if (!instance) return null;
  const container =
    options.container !== undefined ? options.container : await containerRuntime().inspectContainer(odooContainerName(instance.id));
  const urls = container ? instanceUrls(instance, container) : { publicUrl: null, probeUrl: null };
  const healthy = container?.running && urls.probeUrl ? await probeOdooHealth(urls.probeUrl) : null;
  const bootDeadlinePassed = Date.now() - instance.statusChangedAt.getTime() > env().FIRST_BOOT_TIMEOUT_SECONDS * 1000;

  const decision = decideStatus(instance.status, {
    container: container
      ? {
          running: container.running,
          created: container.status === "created",
          exitCode: container.exitCode,
          oomKilled: container.oomKilled === true,
        }
      : null,
    healthy,
    bootDeadlinePassed,
    startedAfterStatusChange: !!container?.startedAt && container.startedAt > instance.statusChangedAt,
  });
  const data = {
    ...(urls.publicUrl && urls.publicUrl !== instance.url ? { url: urls.publicUrl } : {}),
    ...(healthy && !instance.initializedAt ? { initializedAt: new Date() } : {}),
  };
  if (decision) {
    const changed = await transitionStatus(instance.id, {
      to: decision.status,
      from: [instance.status],
      message: decision.message,
      actor: options.actor ?? "system:observer",
      data,
    });
    await followUrl(instance, data.url);
    return { status: changed ? decision.status : instance.status, changed };
  }
  if (Object.keys(data).length > 0) await db.instance.updateMany({ where: { id: instance.id, status: instance.status }, data });
  await followUrl(instance, data.url);
  return { status: instance.status, changed: false };
}

/** Odoo's own idea of its address (`web.base.url`) follows the instance's URL. */
async function followUrl(instance: ObservedInstance, newUrl: string | undefined): Promise<void> {
  const url = newUrl ?? instance.url;
  if (url && url !== instance.odooBaseUrl && instance.initializedAt) await syncOdooBaseUrl(instance.id);
}
