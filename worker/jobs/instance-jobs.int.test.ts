import { UnrecoverableError, type Job } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { deleteInstance } from "@/server/domain/instances/run-instance-action";
import { JOB } from "@/server/queue/queues";
import { callerFor, createTestUser } from "@/testing/accounts";
import { uniqueSubdomain } from "@/testing/instances";
import { processInstanceJob } from "./instance-jobs";

/** The worker's instance processor, run in-process on a real instance row, database and engine. */
const created: string[] = [];

afterAll(async () => {
  for (const id of created) {
    await db.instance.updateMany({ where: { id, status: { not: "DELETED" } }, data: { status: "DELETING" } });
    await deleteInstance(id).catch(() => undefined);
  }
});

function firstAttempt(name: string, instanceId: string): Job {
  return { id: `${name}-${instanceId}`, name, data: { instanceId }, attemptsMade: 0, opts: { attempts: 5 } } as unknown as Job;
}

describe("instance jobs", () => {
  it("a container spec the instance's data makes impossible fails at once, for good, with the instance in ERROR", async () => {
    const { caller } = await callerFor((await createTestUser()).id);
    const instance = await caller.instances.create({
      name: "Impossible spec",
      subdomain: uniqueSubdomain("s"),
      odooVersion: "17.0",
      planId: "basic-monthly",
      trial: true,
    });
    created.push(instance.id);
    // A series no image can have (the create form refuses it; the row says so anyway).
    await db.instance.update({ where: { id: instance.id }, data: { status: "PROVISIONING", odooVersion: "latest" } });

    const outcome = await processInstanceJob(firstAttempt(JOB.provisionInstance, instance.id)).then(
      () => null,
      (error: unknown) => error,
    );
    // Unrecoverable: BullMQ does not spend the four retries left on it.
    expect(outcome).toBeInstanceOf(UnrecoverableError);
    const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row.status).toBe("ERROR");
    expect(row.statusMessage).toMatch(/provision failed/);
  });
});
