import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setBillingProviderForProcess } from "@/server/billing";
import { readCatalogXml } from "@/server/billing/catalog";
import { createKillbillClient } from "@/server/billing/killbill/client";
import { createKillbillProvider } from "@/server/billing/killbill/provider";
import { registerCallback, uploadCatalog } from "@/server/billing/killbill/setup";
import type { BillingProvider } from "@/server/billing/types";
import { db } from "@/server/db";
import { AppError, HTTP_STATUS } from "@/server/errors";
import { callerFor, createTestUser } from "@/testing/accounts";
import { openInvoiceOf, payOpenInvoiceOf, startTestPaynow } from "@/testing/billing";
import { startJobWorkers } from "@/testing/job-workers";
import { eventually, statusOf, uniqueSubdomain } from "@/testing/instances";
import { startKillbillStandin, type KillbillStandin, type NotificationJson } from "@/testing/killbill-standin/killbill-standin";
import { runBillingSweep } from "./billing-sweep";
import { receiveKillbillNotification } from "./killbill-notifications";

/**
 * Billing with the Kill Bill provider: our client and provider talk to the Kill Bill protocol
 * stand-in, which pushes its notifications to a callback served here by the same domain
 * function as the route POST /api/webhooks/killbill/<secret>. Real queues, worker processors,
 * containers.
 */
const series = () => (process.env.ODOO_SERIES ?? "17.0,18.0").split(",")[0]!.trim();
const DAY_MS = 86_400_000;
const SECRET = process.env.KILLBILL_WEBHOOK_SECRET!;
type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];

let killbill: KillbillStandin;
let provider: BillingProvider;
let callback: Server;
let workers: ReturnType<typeof startJobWorkers>;

/** The webhook route's behaviour, over HTTP, for the stand-in's pushes. */
function startCallback(): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const secret = decodeURIComponent(request.url?.split("/").pop() ?? "");
      receiveKillbillNotification(secret, Buffer.concat(chunks).toString("utf8")).then(
        () => response.writeHead(200).end(),
        (error: unknown) => response.writeHead(error instanceof AppError ? HTTP_STATUS[error.code] : 500).end(),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  killbill = await startKillbillStandin({ port: 0 });
  const client = createKillbillClient({
    baseUrl: killbill.url,
    username: "admin",
    password: "password",
    apiKey: "odoo-saas",
    apiSecret: "odoo-saas-secret",
  });
  expect(await uploadCatalog(client, readCatalogXml())).toMatchObject({ uploaded: true });
  callback = await startCallback();
  const { port } = callback.address() as AddressInfo;
  await registerCallback(client, `http://127.0.0.1:${port}/api/webhooks/killbill/${SECRET}`);
  provider = createKillbillProvider(client, { catalogTtlMs: 0 });
  setBillingProviderForProcess(provider);
  workers = startJobWorkers();
});

afterAll(async () => {
  await workers.stop();
  setBillingProviderForProcess(undefined);
  await new Promise((resolve) => callback.close(resolve));
  await killbill.close();
});

async function customer() {
  const user = await createTestUser();
  return { user, caller: (await callerFor(user.id)).caller };
}

async function create(caller: Caller, trial: boolean) {
  const instance = await caller.instances.create({ name: "Kill Bill test", subdomain: uniqueSubdomain("kb"), odooVersion: series(), planId: "standard-monthly", trial });
  workers.created.push(instance.id);
  return instance;
}

async function waitForStatus(id: string, wanted: string, withinMs = 60_000) {
  return eventually(async () => ((await statusOf(id)) === wanted ? wanted : null), withinMs).then(async (s) => s ?? statusOf(id));
}

/** Every push delivered and every stored event processed. */
async function settled() {
  await killbill.waitForDeliveries();
  await eventually(async () => (await db.billingEvent.count({ where: { source: "KILLBILL", status: "RECEIVED" } })) === 0, 15_000);
}

const pushed = (eventType: string, objectId: string) =>
  killbill.notifications.find((record) => record.notification.eventType === eventType && record.notification.objectId === objectId)?.notification;

describe("Kill Bill mode", () => {
  it("plans.list reads the prices from Kill Bill's catalog", async () => {
    const { caller } = await customer();
    const plans = await caller.plans.list();
    expect(plans.map((p) => [p.id, p.priceCents, p.trialDays])).toEqual([
      ["basic-monthly", 500, 14],
      ["standard-monthly", 800, 14],
      ["premium-monthly", 1000, 14],
    ]);
  });

  it("a trial instance is provisioned after Kill Bill's SUBSCRIPTION_CREATION; a second trial is refused", async () => {
    const { user, caller } = await customer();
    const instance = await create(caller, true);
    expect(instance.status).toBe("PENDING_PAYMENT");
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");

    const subscription = killbill.subscriptions.find((s) => s.externalKey === instance.id);
    expect(subscription).toMatchObject({ planName: "standard-monthly", phaseType: "TRIAL", state: "ACTIVE" });
    expect(killbill.accounts.find((a) => a.externalKey === user.id)).toBeTruthy();
    const event = await db.billingEvent.findFirstOrThrow({ where: { source: "KILLBILL", eventType: "SUBSCRIPTION_CREATION", objectId: subscription!.subscriptionId } });
    expect(event).toMatchObject({ status: "PROCESSED", result: expect.stringMatching(/provisioning \(free trial\)/) });
    const provisioning = await db.instanceEvent.findFirstOrThrow({ where: { instanceId: instance.id, toStatus: "PROVISIONING" } });
    expect(provisioning.createdAt.getTime()).toBeGreaterThanOrEqual(event.receivedAt.getTime());

    await expect(create(caller, true)).rejects.toMatchObject({ code: "CONFLICT", cause: { fieldErrors: { trial: [expect.any(String)] } } });

    // A plan change goes through Kill Bill's API; the instance takes the new plan's limits.
    await caller.billing.changePlan({ instanceId: instance.id, planId: "premium-monthly" });
    expect(killbill.subscriptions.find((s) => s.externalKey === instance.id)).toMatchObject({ planName: "premium-monthly" });
    expect(await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).toMatchObject({ planId: "premium-monthly", memoryMb: 8192 });
    await settled();
    expect(await db.billingEvent.findFirstOrThrow({ where: { eventType: "SUBSCRIPTION_CHANGE", objectId: subscription!.subscriptionId } })).toMatchObject({
      status: "PROCESSED",
      result: expect.stringMatching(/^plan is premium-monthly/),
    });
  });

  it("a paid plan waits in PENDING_PAYMENT until INVOICE_PAYMENT_SUCCESS; 5 deliveries, out of order, provision once", async () => {
    const { caller } = await customer();
    const instance = await create(caller, false);
    const invoice = await openInvoiceOf(instance.id);
    expect(invoice).toMatchObject({ amountCents: 800, balanceCents: 800, provider: "killbill" });
    await settled();
    expect(await statusOf(instance.id)).toBe("PENDING_PAYMENT");
    const subscription = killbill.subscriptions.find((s) => s.externalKey === instance.id)!;
    expect(subscription.phaseType).toBe("EVERGREEN");

    // A forged payment notification for the real, unpaid invoice changes nothing: Kill Bill says it is unpaid.
    await receiveKillbillNotification(SECRET, JSON.stringify({ eventType: "INVOICE_PAYMENT_SUCCESS", accountId: invoice.accountId, objectType: "INVOICE", objectId: invoice.id, metaData: JSON.stringify({ paymentId: randomUUID() }) }));
    await settled();
    expect(await statusOf(instance.id)).toBe("PENDING_PAYMENT");

    await payOpenInvoiceOf(instance.id);
    await killbill.waitForDeliveries();
    const success = pushed("INVOICE_PAYMENT_SUCCESS", invoice.id) as NotificationJson;
    expect(success).toBeTruthy();
    // The same notification four more times, and the subscription's creation again, after it.
    for (let i = 0; i < 4; i++) killbill.pushRaw(success);
    killbill.pushRaw(pushed("SUBSCRIPTION_CREATION", subscription.subscriptionId) as NotificationJson);
    await settled();
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");

    const stored = await db.billingEvent.findMany({ where: { eventType: "INVOICE_PAYMENT_SUCCESS", objectId: invoice.id, metaData: success.metaData } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.deliveries).toBe(5);
    expect(await db.instanceEvent.count({ where: { instanceId: instance.id, toStatus: "PROVISIONING" } })).toBe(1);
    expect(await db.billingEvent.count({ where: { eventType: "SUBSCRIPTION_CREATION", objectId: subscription.subscriptionId } })).toBe(1);
  });

  it("a forged notification naming objects Kill Bill does not have is stored, refused and changes nothing", async () => {
    const before = await db.instance.count({ where: { status: "PROVISIONING" } });
    for (const [eventType, objectType] of [["SUBSCRIPTION_CREATION", "SUBSCRIPTION"], ["INVOICE_PAYMENT_SUCCESS", "INVOICE"]] as const) {
      const objectId = randomUUID();
      const { id } = await receiveKillbillNotification(SECRET, JSON.stringify({ eventType, accountId: randomUUID(), objectType, objectId, metaData: JSON.stringify({ actionType: "EFFECTIVE" }) }));
      const event = await eventually(async () => {
        const row = await db.billingEvent.findUniqueOrThrow({ where: { id } });
        return row.status === "RECEIVED" ? null : row;
      }, 15_000);
      expect(event).toMatchObject({ status: "REJECTED", result: expect.stringMatching(/does not exist at killbill/) });
    }
    expect(await db.instance.count({ where: { status: "PROVISIONING" } })).toBe(before);
  });

  it("the webhook answers NOT_FOUND for a wrong secret, and field errors for a bad body; unknown event types are stored and ignored", async () => {
    const body = JSON.stringify({ eventType: "INVOICE_CREATION", accountId: null, objectType: "INVOICE", objectId: randomUUID(), metaData: null });
    await expect(receiveKillbillNotification(`${SECRET}x`, body)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(receiveKillbillNotification("", body)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(receiveKillbillNotification(SECRET, "{not json")).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(receiveKillbillNotification(SECRET, JSON.stringify({ eventType: "X", extra: 1 }))).rejects.toMatchObject({
      code: "VALIDATION",
      fieldErrors: expect.objectContaining({ accountId: expect.any(Array) }),
    });
    const { id } = await receiveKillbillNotification(SECRET, JSON.stringify({ eventType: "TAG_CREATION", accountId: randomUUID(), objectType: "TAG", objectId: randomUUID(), metaData: null }));
    const stored = await eventually(async () => {
      const row = await db.billingEvent.findUniqueOrThrow({ where: { id } });
      return row.status === "RECEIVED" ? null : row;
    }, 15_000);
    expect(stored).toMatchObject({ status: "IGNORED" });
  });

  it("EcoCash pays the Kill Bill invoice as an external payment, and Kill Bill's push provisions", async () => {
    const { caller } = await customer();
    const instance = await create(caller, false);
    const invoice = await openInvoiceOf(instance.id);
    const paynow = await startTestPaynow();
    try {
      const started = await caller.billing.pay({ invoiceId: invoice.id, method: "ECOCASH", phone: "0771111111" });
      expect(await waitForStatus(instance.id, "RUNNING", 60_000)).toBe("RUNNING");
      const payment = await db.paynowPayment.findUniqueOrThrow({ where: { id: started.paymentId } });
      expect(payment).toMatchObject({ status: "PAID" });
      expect(killbill.invoices.find((i) => i.invoiceId === invoice.id)).toMatchObject({ balance: 0 });
    } finally {
      await paynow.close();
    }
  });

  it("unpaid past the grace period suspends; paying resumes; cancelling ends the instance after a final backup", async () => {
    const { caller } = await customer();
    const instance = await create(caller, true);
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");

    killbill.advanceClock(15);
    await settled();
    const invoice = await openInvoiceOf(instance.id);
    expect(invoice.amountCents).toBe(800);
    await runBillingSweep(new Date(invoice.invoiceDate.getTime() + 6 * DAY_MS));
    expect(await statusOf(instance.id)).toBe("RUNNING");
    await runBillingSweep(new Date(invoice.invoiceDate.getTime() + 8 * DAY_MS));
    expect(await statusOf(instance.id)).toBe("SUSPENDED");

    await payOpenInvoiceOf(instance.id);
    expect(await waitForStatus(instance.id, "RUNNING")).toBe("RUNNING");

    await caller.billing.cancel({ instanceId: instance.id });
    await settled();
    expect(await statusOf(instance.id)).toBe("RUNNING");
    killbill.advanceClock(40);
    await settled();
    const ended = await eventually(async () => {
      const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
      return row.status === "SUSPENDED" && row.deleteAfter ? row : null;
    }, 30_000);
    expect(ended?.statusMessage).toMatch(/^Subscription ended/);
    expect(await db.backup.count({ where: { instanceId: instance.id, kind: "FINAL" } })).toBe(1);
    await eventually(async () => (await db.backup.findFirst({ where: { instanceId: instance.id, kind: "FINAL", status: { in: ["SUCCEEDED", "FAILED"] } } })) !== null, 60_000);
    await runBillingSweep(new Date(ended!.deleteAfter!.getTime() + 1000));
    expect(await waitForStatus(instance.id, "DELETED")).toBe("DELETED");
  });
});
