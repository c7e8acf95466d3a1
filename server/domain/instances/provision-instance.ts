import { db } from "../../db";
import { AppError, RestoreRefused } from "../../errors";
import { logger } from "../../logger";
import { observeProvisioning } from "../../metrics/observe-provisioning";
import { containerRuntime } from "../../runtime";
import { odooContainerName } from "./odoo-container-spec";
import { desiredContainerSpec } from "./desired-container-spec";
import { handOverDatabase, syncOdooBaseUrl } from "./hand-over";
import { initialiseDatabase } from "./initialise-database";
import { createTenantDatabase, placeTenantDatabase } from "./prepare-database";
import { recordInstanceEvent, transitionStatus } from "./transition-status";
import { waitUntilHealthy } from "./wait-until-healthy";

/** A failure that retrying cannot fix; the job processor does not retry it. */
export class PermanentFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentFailure";
  }
}

export const PROVISION_STEPS = ["database", "volume", "container", "initialise", "start"] as const;
export type ProvisionStep = (typeof PROVISION_STEPS)[number];

export interface ProvisionOptions {
  /** Lets tests stop provisioning between steps. */
  afterStep?: (step: ProvisionStep) => Promise<void> | void;
  /**
   * Loads the backup an instance was created from into its new, empty database and volume,
   * before the first start (a restore into a new instance). The caller supplies it: backups
   * build on instances, never the other way round. Throws RestoreRefused when the backup can
   * never load.
   */
  restoreFromBackup?: (instanceId: string) => Promise<void>;
}

const ACTOR = "system:provisioner";

/**
 * Provisions an instance: database, volume and container (created, not started), then the
 * database initialised privately by a one-shot container (or loaded from a backup), and only
 * then the serving container started (it never runs `-i`). Every step checks
 * what exists first, so running it again after a crash anywhere finishes the job without a
 * second database, role, volume or container. `afterStep` lets tests stop it between steps.
 */
export async function provisionInstance(instanceId: string, options: ProvisionOptions = {}): Promise<{ status: string }> {
  const log = logger.child({ instanceId, job: "provision-instance" });
  const step = async (name: ProvisionStep, message: string) => {
    await recordInstanceEvent(instanceId, "STEP", message, ACTOR);
    await options.afterStep?.(name);
  };

  const instance = await db.instance.findUnique({ where: { id: instanceId } });
  if (instance?.status === "STARTING" && !instance.initializedAt) {
    // An earlier run got as far as starting the container and died: finish its first boot.
    await containerRuntime().startContainer(odooContainerName(instanceId));
    return finishBoot(instanceId, instance.subdomain, ACTOR);
  }
  if (!instance || instance.status !== "PROVISIONING") {
    log.info({ status: instance?.status }, "nothing to provision");
    return { status: instance?.status ?? "MISSING" };
  }

  // The data volume depends on nothing else: it is made while the database is placed (the
  // placement queues behind other provisionings' server locks). Its name and labels do not
  // depend on the database, so a spec with a stand-in database gives them.
  const runtime = containerRuntime();
  const { volume } = desiredContainerSpec(instance, { host: "pending", port: 5432, name: "pending", user: "pending", password: "pending" });
  const volumeReady = (async () => {
    await runtime.ensureVolume(volume.name, volume.labels);
    await step("volume", "Data volume is ready");
  })();
  // Settled before any error propagates, so no engine call outlives the job.
  const volumeSettled = volumeReady.then(
    () => undefined,
    () => undefined,
  );

  let placement;
  try {
    placement = await placeTenantDatabase(instanceId);
  } catch (error) {
    await volumeSettled;
    if (error instanceof AppError && error.code === "UNAVAILABLE") {
      // Retrying will not help until an admin adds capacity: fail the job for good, visibly.
      await transitionStatus(instanceId, { to: "ERROR", from: ["PROVISIONING"], message: error.message, actor: ACTOR });
      observeProvisioning("ERROR", instance.statusChangedAt);
      throw new PermanentFailure(error.message);
    }
    throw error;
  }

  // The database and the container do not depend on each other until the container starts:
  // prepare both at once. Both branches settle before an error propagates.
  const spec = desiredContainerSpec(instance, placement.database);
  const branches = await Promise.allSettled([
    (async () => {
      await createTenantDatabase(placement);
      await step("database", `Database ${placement.database.name} is ready`);
    })(),
    (async () => {
      await volumeReady;
      const { id: containerId } = await runtime.ensureContainer(spec);
      await db.instance.update({ where: { id: instanceId }, data: { containerId } });
      await step("container", "Container created");
    })(),
  ]);
  const failed = branches.find((branch): branch is PromiseRejectedResult => branch.status === "rejected");
  if (failed) throw failed.reason;

  if (!instance.restoreFromBackupId) {
    // Odoo installs into the database before anyone can reach it; the serving container only
    // starts on an initialised database.
    const outcome = await initialiseDatabase(instance, placement.database);
    const modules = ["base", ...instance.customAddons.filter((module) => module !== "base")].join(", ");
    await step(
      "initialise",
      outcome === "initialised"
        ? `Database initialised (${modules}${instance.demoData ? ", with demo data" : ""})`
        : "Database was initialised already",
    );
  } else if (!instance.initializedAt) {
    if (!options.restoreFromBackup) throw new Error("provisioning an instance created from a backup needs a restore loader");
    try {
      await options.restoreFromBackup(instanceId);
    } catch (error) {
      if (!(error instanceof RestoreRefused)) throw error;
      // A backup that fails its checks will fail them again: stop here, visibly.
      await transitionStatus(instanceId, { to: "ERROR", from: ["PROVISIONING"], message: error.message, actor: ACTOR });
      throw new PermanentFailure(error.message);
    }
    await step("initialise", "Database loaded from the backup");
  }
  // The owner's login, the company and the address, before anyone can reach the instance.
  await handOverDatabase(instanceId, { cloned: false });

  await runtime.startContainer(spec.name);
  const moved = await transitionStatus(instanceId, {
    to: "STARTING",
    from: ["PROVISIONING"],
    message: "Odoo is starting",
    actor: ACTOR,
  });
  if (!moved) return { status: (await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).status };
  await step("start", "Container started");

  const booted = await finishBoot(instanceId, instance.subdomain, ACTOR);
  observeProvisioning(booted.status, instance.statusChangedAt);
  return booted;
}

/** Waits for the first answer after a start and records what happened. */
export async function finishBoot(instanceId: string, subdomain: string | null, actor: string): Promise<{ status: string }> {
  const outcome = await waitUntilHealthy({ id: instanceId, subdomain });
  switch (outcome.kind) {
    case "healthy":
      await transitionStatus(instanceId, {
        to: "RUNNING",
        from: ["STARTING", "RESTARTING", "UNHEALTHY"],
        message: "Odoo is running",
        actor,
        data: { url: outcome.url, initializedAt: new Date() },
      });
      // A published port is only known once the container runs: Odoo learns its address now.
      await syncOdooBaseUrl(instanceId);
      return { status: "RUNNING" };
    case "timeout":
      // Not an error: a slow boot that answers later is moved to RUNNING by the reconciler.
      await transitionStatus(instanceId, {
        to: "UNHEALTHY",
        from: ["STARTING", "RESTARTING"],
        message: "Odoo did not answer its health check in time; still watching",
        actor,
      });
      return { status: "UNHEALTHY" };
    case "exited":
      await transitionStatus(instanceId, {
        to: "ERROR",
        from: ["STARTING", "RESTARTING", "UNHEALTHY"],
        message: outcome.oomKilled
          ? "Odoo ran out of memory while starting"
          : `Odoo exited while starting (exit code ${outcome.exitCode ?? "unknown"}); see the logs`,
        actor,
      });
      return { status: "ERROR" };
  }
}
