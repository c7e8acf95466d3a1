import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/trpc/[trpc]/route";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { createTestUser } from "@/testing/accounts";
import { sessionHeaders, trpcRequest, type TrpcErrorBody } from "@/testing/http";
import { uniqueSubdomain } from "@/testing/instances";
import { planLimits } from "@/server/domain/plans/plan-limits";

/**
 * A plan's quotas are not throttles: through the real HTTP handler they answer 403 with the
 * domain code PLAN_LIMIT and the plan named in the field errors, never 429, and create nothing.
 */
const suffix = randomBytes(4).toString("hex");
const series = () => env().ODOO_SERIES[0]!;
const planId = `test-limits-${suffix}`;
const instanceIds: string[] = [];
const userIds: string[] = [];

beforeAll(async () => {
  await db.plan.create({
    data: { id: planId, displayName: "Tiny", cpu: 1, memoryMb: 512, storageGb: 1, maxInstances: 1, manualBackupsPerDay: 2, allowedSeries: [series()] },
  });
});

afterAll(async () => {
  await db.backup.deleteMany({ where: { instanceId: { in: instanceIds } } });
  await db.instance.deleteMany({ where: { id: { in: instanceIds } } });
  await db.session.deleteMany({ where: { userId: { in: userIds } } });
  await db.plan.deleteMany({ where: { id: planId } });
});

/** A customer owning one stopped, initialized instance of the test plan (a row only: no container). */
async function customerWithInstance() {
  const user = await createTestUser();
  userIds.push(user.id);
  const plan = await db.plan.findUniqueOrThrow({ where: { id: planId } });
  const instance = await db.instance.create({
    data: {
      ownerId: user.id,
      name: "Limited",
      subdomain: uniqueSubdomain(),
      odooVersion: series(),
      ...planLimits(plan),
      status: "STOPPED",
      adminEmail: user.email,
      initializedAt: new Date(),
    },
  });
  instanceIds.push(instance.id);
  return { user, instance, headers: await sessionHeaders(user.id) };
}

async function call(path: string, input: unknown, headers: Headers) {
  const response = await POST(trpcRequest("mutation", path, input, headers));
  return { status: response.status, error: ((await response.json()) as TrpcErrorBody).error?.json };
}

describe("plan limits", () => {
  it("a second instance on a one-instance plan is a 403 PLAN_LIMIT naming planId, and nothing is created", async () => {
    const { user, headers } = await customerWithInstance();
    const answer = await call("instances.create", { name: "Second", subdomain: uniqueSubdomain(), odooVersion: series(), planId }, headers);
    expect(answer.status).toBe(403);
    expect(answer.error?.data).toMatchObject({ code: "FORBIDDEN", httpStatus: 403, appCode: "PLAN_LIMIT" });
    expect(answer.error?.message).toBe("The Tiny plan allows 1 instance per customer; choose a larger plan");
    expect(answer.error?.data?.fieldErrors).toEqual({ planId: [answer.error?.message] });
    expect(await db.instance.count({ where: { ownerId: user.id } })).toBe(1);
  });

  it("a manual backup past the plan's daily count is a 403 PLAN_LIMIT naming planId, and no backup is queued", async () => {
    const { instance, headers } = await customerWithInstance();
    // Today's two manual backups, finished (a running one would be returned instead of a new one).
    for (let i = 0; i < 2; i++) {
      await db.backup.create({ data: { instanceId: instance.id, kind: "MANUAL", status: "SUCCEEDED", odooSeries: series(), requestedBy: "test" } });
    }
    const answer = await call("backups.create", { id: instance.id }, headers);
    expect(answer.status).toBe(403);
    expect(answer.error?.data).toMatchObject({ code: "FORBIDDEN", appCode: "PLAN_LIMIT" });
    expect(answer.error?.message).toBe("Your plan allows 2 manual backups per instance per day; try again tomorrow or change to a larger plan.");
    expect(Object.keys(answer.error?.data?.fieldErrors ?? {})).toEqual(["planId"]);
    expect(await db.backup.count({ where: { instanceId: instance.id } })).toBe(2);
  });
});
