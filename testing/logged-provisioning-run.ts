// A provisioning run as the worker does it, in a process of its own so that a test can capture
// everything it writes (pino writes to fd 1 through sonic-boom, beside process.stdout.write).
// Used by server/logger.int.test.ts; not a tool for operators.
//
//   tsx testing/logged-provisioning-run.ts <healthyInstanceId> <brokenInstanceId>
//
// Both instances must exist in PROVISIONING with no job queued. The run:
//  1. provisions the healthy one to RUNNING through the worker's job processor;
//  2. removes its container behind the platform's back and runs its stop job, which fails
//     (last attempt: the instance goes to ERROR and the error is logged);
//  3. provisions the broken one, whose Odoo series has no image, so creating its container
//     fails after its database and password exist (ERROR, error logged).
// Exits 0 when each step ended as described, 1 otherwise (the reason on stderr).
import "@/server/load-dotenv";
import type { Job } from "bullmq";
import { transitionStatus } from "@/server/domain/instances/transition-status";
import { db } from "@/server/db";
import { JOB, type InstanceJobName } from "@/server/queue/queues";
import { containerRuntime } from "@/server/runtime";
import { processInstanceJob } from "@/worker/jobs/instance-jobs";
import { odooContainerName } from "@/server/domain/instances/odoo-container-spec";

const JOB_ATTEMPTS = 3;

/**
 * The fields processInstanceJob reads from a BullMQ job, with the id the queue would give it
 * (enqueueInstanceJob: `<job name>-<instance id>`). No queue is involved: a worker of another
 * process listening on the real queue must not pick these jobs up.
 */
function jobFor(name: InstanceJobName, instanceId: string, attemptsMade = 0): Job {
  const job: Pick<Job, "id" | "name" | "data" | "attemptsMade" | "opts"> = {
    id: `${name}-${instanceId}`,
    name,
    data: { instanceId },
    attemptsMade,
    opts: { attempts: JOB_ATTEMPTS },
  };
  return job as Job;
}

async function expectFailure(run: Promise<unknown>, what: string): Promise<void> {
  const outcome = await run.then(
    () => "succeeded",
    () => "failed",
  );
  if (outcome !== "failed") throw new Error(`${what} was expected to fail but succeeded`);
}

async function expectStatus(instanceId: string, wanted: string, what: string): Promise<void> {
  const { status } = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, select: { status: true } });
  if (status !== wanted) throw new Error(`${what}: instance ${instanceId} is ${status}, expected ${wanted}`);
}

async function main(): Promise<void> {
  const [healthyId, brokenId] = process.argv.slice(2);
  if (!healthyId || !brokenId) throw new Error("usage: logged-provisioning-run.ts <healthyInstanceId> <brokenInstanceId>");

  await processInstanceJob(jobFor(JOB.provisionInstance, healthyId));
  await expectStatus(healthyId, "RUNNING", "provisioning");

  const moved = await transitionStatus(healthyId, {
    to: "STOPPING",
    from: ["RUNNING"],
    message: "Stop requested",
    actor: "system:logger-test",
  });
  if (!moved) throw new Error("could not move the instance to STOPPING");
  await containerRuntime().removeContainer(odooContainerName(healthyId));
  // The last of its attempts, so the processor also records ERROR on the instance.
  await expectFailure(processInstanceJob(jobFor(JOB.stopInstance, healthyId, JOB_ATTEMPTS - 1)), "stopping a removed container");
  await expectStatus(healthyId, "ERROR", "stop job on a removed container");

  await expectFailure(processInstanceJob(jobFor(JOB.provisionInstance, brokenId, JOB_ATTEMPTS - 1)), "provisioning without an image");
  await expectStatus(brokenId, "ERROR", "provisioning without an image");
}

main()
  .then(
    () => 0,
    (error: unknown) => {
      console.error(`logged-provisioning-run: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    },
  )
  .then(async (code) => {
    await db.$disconnect().catch(() => undefined);
    // The engine client keeps sockets open; exit flushes pino's destination on the way out.
    process.exit(code);
  });
