import type { UserActor } from "../../auth/actor";
import { db } from "../../db";
import { AppError } from "../../errors";
import { containerRuntime } from "../../runtime";
import { odooContainerName } from "./odoo-container-spec";
import { instanceScope, PUBLIC_INSTANCE_SELECT } from "./instance-scope";
import { instanceUrls, probeOdooHealth } from "./odoo-health";
import { observeInstance } from "./observe-instance";

export async function listInstances(actor: UserActor) {
  return db.instance.findMany({
    // Everyone sees their own here; admins see the fleet through the admin router.
    where: { ...instanceScope(actor), ownerId: actor.userId },
    select: { ...PUBLIC_INSTANCE_SELECT, plan: { select: { displayName: true } } },
    orderBy: { createdAt: "desc" },
  });
}

/** One instance the actor may see, or NOT_FOUND. */
export async function getInstance(actor: UserActor, id: string) {
  const instance = await db.instance.findFirst({
    where: { id, ...instanceScope(actor) },
    select: { ...PUBLIC_INSTANCE_SELECT, plan: { select: { displayName: true } } },
  });
  if (!instance) throw new AppError("NOT_FOUND", "Instance not found.");
  return instance;
}

export async function listInstanceEvents(actor: UserActor, id: string) {
  await getInstance(actor, id);
  return db.instanceEvent.findMany({
    where: { instanceId: id },
    orderBy: { createdAt: "asc" },
    select: { id: true, type: true, fromStatus: true, toStatus: true, message: true, actor: true, createdAt: true },
  });
}

/** The last lines of the container's output. */
export async function getInstanceLogs(actor: UserActor, id: string, lines: number) {
  await getInstance(actor, id);
  const container = await containerRuntime().inspectContainer(odooContainerName(id));
  if (!container) return { lines: [] as string[], available: false };
  return { lines: await containerRuntime().containerLogs(odooContainerName(id), lines), available: true };
}

/** Container state, uptime, Odoo's HTTP health and whether its database answers. */
export async function getInstanceHealth(actor: UserActor, id: string) {
  const instance = await getInstance(actor, id);
  const container = await containerRuntime().inspectContainer(odooContainerName(id));
  const { probeUrl } = container ? instanceUrls(instance, container) : { probeUrl: null };
  const [httpHealthy, databaseReachable] =
    container?.running && probeUrl ? await Promise.all([probeOdooHealth(probeUrl), probeDatabase(probeUrl)]) : [false, null];
  const startedAt = container?.running && container.startedAt ? new Date(container.startedAt) : null;
  return {
    container: container ? { state: container.status, running: container.running, exitCode: container.exitCode } : null,
    uptimeSeconds: startedAt ? Math.max(0, Math.round((Date.now() - startedAt.getTime()) / 1000)) : null,
    httpHealthy,
    databaseReachable,
    checkedAt: new Date(),
  };
}

/** Odoo's health endpoint with db_server_status (odoo.md C.6); null when Odoo does not report it. */
async function probeDatabase(baseUrl: string): Promise<boolean | null> {
  try {
    const response = await fetch(`${baseUrl}/web/health?db_server_status=1`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { db_server_status?: unknown };
    return typeof body.db_server_status === "boolean" ? body.db_server_status : null;
  } catch {
    return false;
  }
}

export async function refreshInstanceStatus(actor: UserActor, id: string) {
  await getInstance(actor, id);
  await observeInstance(id, { actor: "system:refresh" });
  return getInstance(actor, id);
}
