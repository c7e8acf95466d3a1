import { decryptSecret } from "../../crypto/secrets";
import { accessFor, dropTenantDatabase } from "../../db-pool/manager";
import { tenantNames } from "../../db-pool/sql";
import { db } from "../../db";
import { logger } from "../../logger";
import { containerRuntime } from "../../runtime";
import { odooContainerName, odooInitContainerName, odooVolumeName } from "./odoo-container-spec";
import { desiredContainerSpec } from "./desired-container-spec";
import { finishBoot } from "./provision-instance";
import { transitionStatus } from "./transition-status";

const STOP_TIMEOUT_SECONDS = 20;

async function currentSpec(instanceId: string) {
  const instance = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, include: { dbServer: true } });
  if (!instance.dbServer || !instance.dbName || !instance.dbUser || !instance.dbPasswordEnc) {
    throw new Error("the instance has no database yet");
  }
  const spec = desiredContainerSpec(instance, {
    host: instance.dbServer.containerHost,
    port: instance.dbServer.port,
    name: instance.dbName,
    user: instance.dbUser,
    password: decryptSecret(instance.dbPasswordEnc),
  });
  return { instance, spec };
}

/** Start: (re)creates the container when its spec changed (first boot done, new limits), starts it. */
export async function startInstance(instanceId: string, actor = "system:worker") {
  const status = (await db.instance.findUnique({ where: { id: instanceId }, select: { status: true } }))?.status;
  if (status !== "STARTING") return { status: status ?? "MISSING" };
  const { instance, spec } = await currentSpec(instanceId);
  const runtime = containerRuntime();
  await runtime.ensureVolume(spec.volume.name, spec.volume.labels);
  const { id } = await runtime.ensureContainer(spec);
  await db.instance.update({ where: { id: instanceId }, data: { containerId: id } });
  await runtime.startContainer(spec.name);
  return finishBoot(instanceId, instance.subdomain, actor);
}

export async function stopInstance(instanceId: string, actor = "system:worker") {
  const status = (await db.instance.findUnique({ where: { id: instanceId }, select: { status: true } }))?.status;
  if (status !== "STOPPING") return { status: status ?? "MISSING" };
  await containerRuntime().stopContainer(odooContainerName(instanceId), STOP_TIMEOUT_SECONDS);
  await transitionStatus(instanceId, { to: "STOPPED", from: ["STOPPING"], message: "Stopped", actor });
  return { status: "STOPPED" };
}

export async function restartInstance(instanceId: string, actor = "system:worker") {
  const status = (await db.instance.findUnique({ where: { id: instanceId }, select: { status: true } }))?.status;
  if (status !== "RESTARTING") return { status: status ?? "MISSING" };
  const { instance, spec } = await currentSpec(instanceId);
  const runtime = containerRuntime();
  const { created } = await runtime.ensureContainer(spec);
  if (created) await runtime.startContainer(spec.name);
  else await runtime.restartContainer(spec.name, STOP_TIMEOUT_SECONDS);
  return finishBoot(instanceId, instance.subdomain, actor);
}

/** Removes container, volume, database and role; the row stays, DELETED, for the audit trail. */
export async function deleteInstance(instanceId: string, actor = "system:worker") {
  const instance = await db.instance.findUnique({ where: { id: instanceId }, include: { dbServer: true } });
  if (!instance || instance.status !== "DELETING") return { status: instance?.status ?? "MISSING" };
  const runtime = containerRuntime();
  await runtime.removeContainer(odooContainerName(instanceId));
  // A database initialisation a crash interrupted may have left its one-shot container.
  await runtime.removeContainer(odooInitContainerName(instanceId));
  await runtime.removeVolume(odooVolumeName(instanceId));
  if (instance.dbServer) await dropTenantDatabase(accessFor(instance.dbServer), tenantNames(instanceId));
  await transitionStatus(instanceId, {
    to: "DELETED",
    from: ["DELETING"],
    message: "Deleted: container, data volume and database removed",
    actor,
    data: { subdomain: null, deletedAt: new Date(), containerId: null, dbPasswordEnc: null },
  });
  logger.info({ instanceId }, "instance deleted");
  return { status: "DELETED" };
}

/** Suspended (owner suspended, or unpaid): the container stops; data and database stay. */
export async function suspendInstanceContainer(instanceId: string) {
  const status = (await db.instance.findUnique({ where: { id: instanceId }, select: { status: true } }))?.status;
  if (status !== "SUSPENDED") return { status: status ?? "MISSING" };
  const name = odooContainerName(instanceId);
  if (await containerRuntime().inspectContainer(name)) await containerRuntime().stopContainer(name, STOP_TIMEOUT_SECONDS);
  return { status: "SUSPENDED" };
}
