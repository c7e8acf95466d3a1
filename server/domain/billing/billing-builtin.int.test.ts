import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paynowHash } from "@/server/billing/paynow/hash";
import { db } from "@/server/db";
import { createRedis } from "@/server/queue/connection";
import { QUEUE } from "@/server/queue/queues";
import { callerFor, createTestUser } from "@/testing/accounts";
import { openInvoiceOf, payOpenInvoiceOf, startTestPaynow } from "@/testing/billing";
import { startJobWorkers } from "@/testing/job-workers";
import { eventually, statusOf, uniqueSubdomain } from "@/testing/instances";
import type { PaynowStandin } from "@/testing/paynow-standin/paynow-standin";
import { runBillingSweep } from "./billing-sweep";
import { processBillingEvent } from "./process-billing-event";
import { receivePaynowStatusUpdate } from "./paynow-payments";
import { startSubscription } from "./subscriptions";

/**
 * Billing with the builtin provider, end to end in one process: the real routers, domain,
 * queues, worker processors and containers; Paynow replaced by its protocol stand-in.
 */
const series = () => (process.env.ODOO_SERIES ?? "17.0,18.0").split(",")[0]!.trim();
const DAY_MS = 86_400_000;
type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];

let paynow: PaynowStandin;

beforeAll(async () => {
  paynow = await startTestPaynow();
});

afterAll(async () => {
  await paynow.close();
});

async function customer() {
  const user = await createTestUser();
  return { user, caller: (await callerFor(user.id)).caller };
}

const create = (caller: Caller, extra: { trial?: boolean; planId?: string } = {}) =>
  caller.instances.create({ name: "Billing test", subdomain: uniqueSubdomain("bl"), odooVersion: series(), planId: "standard-monthly", ...extra });

async function waitForStatus(id: string, wanted: string, withinMs = 60_000) {
  return eventually(async () => ((await statusOf(id)) === wanted ? wanted : null), withinMs).then(async (s) => s ?? statusOf(id));
}

const eventsOf = (objectId: string) => db.billingEvent.findMany({ where: { objectId }, orderBy: { receivedAt: "asc" } });

describe("before billing confirms, nothing is provisioned", () => {
  // No billing worker here: each step is run by hand to show what causes what.
  it("a trial instance waits in PENDING_PAYMENT until SUBSCRIPTION_CREATION is processed", async () => {
    const { caller } = await customer();
    const instance = await create(caller, { trial: true });
    expect(instance.status).toBe("PENDING_PAYMENT");

    const { subscriptionId } = (await startSubscription(instance.id)) as { subscriptionId: string };
    const [created] = await eventsOf(subscriptionId);
    expect(created).toMatchObject({ source: "BUILTIN", eventType: "SUBSCRIPTION_CREATION", status: "RECEIVED" });
    expect(await statusOf(instance.id)).toBe("PENDING_PAYMENT");

    const outcome = await processBillingEvent(created!.id);
    expect(outcome).toMatchObject({ status: "PROCESSED", result: expect.stringMatching(/provisioning \(free trial\)/) });
    expect(await statusOf(instance.id)).toBe("PROVISIONING");
    // Processing the same event again changes nothing.
    expect(await processBillingEvent(created!.id)).toEqual({ status: "PROCESSED" });
    await db.instance.update({ where: { id: instance.id }, data: { status: "DELETED", subdomain: null } });
  });

  it("refuses a second trial with a field error, and records who had the first", async () => {
    const { user, caller } = await customer();
    const first = await create(caller, { trial: true });
    await expect(create(caller, { trial: true })).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { fieldErrors: { trial: [expect.stringMatching(/already used your free trial/)] } },
    });
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ trialInstanceId: first.id });
    expect(await db.instance.count({ where: { ownerId: user.id } })).toBe(1);
    await db.instance.update({ where: { id: first.id }, data: { status: "DELETED", subdomain: null } });
  });

  it("two concurrent trial requests of one customer: exactly one gets the trial", async () => {
    const { user, caller } = await customer();
    const results = await Promise.allSettled([create(caller, { trial: true }), create(caller, { trial: true })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.instance.count({ where: { ownerId: user.id } })).toBe(1);
    await db.instance.updateMany({ where: { ownerId: user.id }, data: { status: "DELETED", subdomain: null } });
  });
});

describe("with the worker's processors running", () => {
  let workers: ReturnType<typeof startJobWorkers>;

  beforeAll(() => {
    workers = startJobWorkers();
  });

  afterAll(async () => {
    await workers.stop();
  });

  it("a trial instance becomes RUNNING; its subscription and $0 invoice are on the billing page", async () => {
    const { caller } = await customer();
    const instance = await create(caller, { trial: true });
    workers.created.push(instance.id);
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");
    const overview = await caller.billing.overview();
    expect(overview.trialAvailable).toBe(false);
    expect(overview.subscriptions).toEqual([expect.objectContaining({ planName: "standard-monthly", phaseType: "TRIAL", state: "ACTIVE" })]);
    expect(overview.invoices).toEqual([expect.objectContaining({ amountCents: 0, balanceCents: 0 })]);
    const profile = await caller.auth.me();
    expect(profile.subscriptions).toEqual([expect.objectContaining({ planName: "standard-monthly", status: "TRIAL", instanceId: instance.id })]);
  });

  it("a paid plan waits in PENDING_PAYMENT until INVOICE_PAYMENT_SUCCESS, then provisions once", async () => {
    const { caller } = await customer();
    const instance = await create(caller, { trial: false });
    workers.created.push(instance.id);
    const invoice = await openInvoiceOf(instance.id);
    expect(invoice).toMatchObject({ amountCents: 800, balanceCents: 800 });
    // The subscription's own events were processed and left it waiting.
    await eventually(async () => (await db.billingEvent.count({ where: { source: "BUILTIN", status: "RECEIVED" } })) === 0, 10_000);
    expect(await statusOf(instance.id)).toBe("PENDING_PAYMENT");

    await payOpenInvoiceOf(instance.id);
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");
    const provisioning = await db.instanceEvent.findMany({ where: { instanceId: instance.id, toStatus: "PROVISIONING" } });
    expect(provisioning).toHaveLength(1);
    expect(provisioning[0]).toMatchObject({ actor: "system:billing" });
    const paid = await db.billingEvent.findFirstOrThrow({ where: { objectId: invoice.id, eventType: "INVOICE_PAYMENT_SUCCESS" } });
    expect(paid).toMatchObject({ status: "PROCESSED", result: expect.stringMatching(/paid; provisioning/) });
  });

  it("EcoCash 0771111111 ends paid and provisions; 0773333333 ends failed and provisions nothing", async () => {
    const payer = await customer();
    const instance = await create(payer.caller, { trial: false });
    workers.created.push(instance.id);
    const invoice = await openInvoiceOf(instance.id);
    const started = await payer.caller.billing.pay({ invoiceId: invoice.id, method: "ECOCASH", phone: "0771111111" });
    expect(started.instructions).toBeTruthy();
    const paid = await eventually(async () => {
      const payment = await payer.caller.billing.payment({ paymentId: started.paymentId });
      return payment.status === "PAID" ? payment : null;
    }, 30_000);
    expect(paid).toMatchObject({ status: "PAID", paynowStatus: "Paid" });
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");
    expect((await db.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).balanceCents).toBe(0);
    const stored = await db.paynowPayment.findUniqueOrThrow({ where: { id: started.paymentId } });
    expect(stored.paynowReference).toBeTruthy();
    expect(stored.recordedAt).not.toBeNull();

    const decliner = await customer();
    const unpaid = await create(decliner.caller, { trial: false });
    workers.created.push(unpaid.id);
    const unpaidInvoice = await openInvoiceOf(unpaid.id);
    const declined = await decliner.caller.billing.pay({ invoiceId: unpaidInvoice.id, method: "ECOCASH", phone: "0773333333" });
    const failed = await eventually(async () => {
      const payment = await decliner.caller.billing.payment({ paymentId: declined.paymentId });
      return payment.status === "FAILED" ? payment : null;
    }, 30_000);
    expect(failed).toMatchObject({ status: "FAILED", paynowStatus: "Failed" });
    expect(await statusOf(unpaid.id)).toBe("PENDING_PAYMENT");
    expect((await db.invoice.findUniqueOrThrow({ where: { id: unpaidInvoice.id } })).balanceCents).toBe(800);
  });

  it("EcoCash 0774444444 is refused at once with a field error on the phone number", async () => {
    const { caller } = await customer();
    const instance = await create(caller, { trial: false });
    workers.created.push(instance.id);
    const invoice = await openInvoiceOf(instance.id);
    await expect(caller.billing.pay({ invoiceId: invoice.id, method: "ECOCASH", phone: "0774444444" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { fieldErrors: { phone: [expect.stringMatching(/Insufficient balance/)] } },
    });
    await expect(caller.billing.pay({ invoiceId: invoice.id, method: "ECOCASH", phone: "12345" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("Paynow status updates with a bad hash or a wrong amount are refused and recorded; nothing is paid", async () => {
    const { caller } = await customer();
    const instance = await create(caller, { trial: false });
    workers.created.push(instance.id);
    const invoice = await openInvoiceOf(instance.id);
    const web = await caller.billing.pay({ invoiceId: invoice.id, method: "WEB" });
    expect(web.browserUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const payment = await db.paynowPayment.findUniqueOrThrow({ where: { id: web.paymentId } });
    const key = process.env.PAYNOW_INTEGRATION_KEY!;
    const update = (amount: string): [string, string][] => [
      ["reference", payment.reference],
      ["amount", amount],
      ["paynowreference", "777001"],
      ["pollurl", payment.pollUrl],
      ["status", "Paid"],
    ];
    const body = (pairs: [string, string][], hash: string) => new URLSearchParams([...pairs, ["hash", hash]]).toString();

    const forged = body(update("8.00"), "0".repeat(128));
    expect(await receivePaynowStatusUpdate(forged)).toEqual({ accepted: false });
    const wrongAmount = update("0.01");
    expect(await receivePaynowStatusUpdate(body(wrongAmount, paynowHash(wrongAmount, key)))).toEqual({ accepted: true });

    const recorded = await eventually(async () => {
      const rows = await db.billingEvent.findMany({ where: { source: "PAYNOW", objectId: { startsWith: `${payment.reference}:` } } });
      return rows.length === 2 && rows.every((r) => r.status === "REJECTED") ? rows : null;
    }, 15_000);
    expect(recorded?.map((r) => r.result).sort()).toEqual([expect.stringMatching(/amount 0.01 does not match 8.00/), "hash did not verify"]);
    // Paynow contradicting our transaction fails it for good: nothing is recorded.
    expect(await db.paynowPayment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
      status: "FAILED",
      paynowReference: null,
      failureReason: expect.stringMatching(/says 0.01, the invoice asked 8.00/),
    });
    expect((await db.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).balanceCents).toBe(800);
    expect(await statusOf(instance.id)).toBe("PENDING_PAYMENT");
  });

  it("unpaid past the grace period suspends the instance; paying resumes it", async () => {
    const { caller, user } = await customer();
    const instance = await create(caller, { trial: true });
    workers.created.push(instance.id);
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");

    // The trial ends: the subscription moves to EVERGREEN and the first month is invoiced.
    const trialEnd = new Date(Date.now() + 15 * DAY_MS);
    // (The sweep bills every subscription in the database; assertions are about this one.)
    await runBillingSweep(trialEnd);
    expect(await db.subscription.findUniqueOrThrow({ where: { instanceId: instance.id } })).toMatchObject({ phaseType: "EVERGREEN" });
    const invoice = await openInvoiceOf(instance.id);
    expect(invoice).toMatchObject({ amountCents: 800, balanceCents: 800 });
    // Within the grace period nothing happens; past it, the instance is suspended and stopped.
    const invoiced = invoice.invoiceDate.getTime();
    await runBillingSweep(new Date(invoiced + 6 * DAY_MS));
    expect(await statusOf(instance.id)).toBe("RUNNING");
    expect((await runBillingSweep(new Date(invoiced + 8 * DAY_MS))).suspended).toBeGreaterThanOrEqual(1);
    const suspended = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(suspended).toMatchObject({ status: "SUSPENDED", statusMessage: expect.stringMatching(/^Suspended: invoice .* unpaid/) });
    expect(suspended.billingSuspendedAt).not.toBeNull();
    // An admin lifting a customer suspension does not lift a billing one.
    const admin = (await callerFor((await createTestUser("ADMIN")).id)).caller;
    await admin.admin.customers.unsuspend({ id: user.id });
    expect(await statusOf(instance.id)).toBe("SUSPENDED");

    await payOpenInvoiceOf(instance.id);
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).billingSuspendedAt).toBeNull();
  });
});

afterAll(async () => {
  await new Queue(QUEUE.billing, { connection: createRedis("queue") }).obliterate({ force: true }).catch(() => undefined);
});
