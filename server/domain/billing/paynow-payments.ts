import { createHash } from "node:crypto";
import { z } from "zod";
import type { UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { billingProvider } from "../../billing";
import { createPaynowClient, PaynowError, type PaynowStatus } from "../../billing/paynow/client";
import { verifyPaynowMessage } from "../../billing/paynow/hash";
import type { BillingProvider } from "../../billing/types";
import { db } from "../../db";
import { env } from "../../env";
import { AppError } from "../../errors";
import type { BillingEvent } from "../../generated/prisma/client";
import { Prisma } from "../../generated/prisma/client";
import { logger } from "../../logger";
import { enqueuePaynowPoll } from "../../queue/queues";
import { mirrorInvoice } from "./mirror";
import { billingScope } from "./billing-scope";
import { recordBillingEvent } from "../../billing/record-billing-event";

/** Express checkout: poll every 5 s for 3 minutes in case Paynow's result post never arrives. */
export const PAYNOW_POLL_EVERY_MS = 5_000;
export const PAYNOW_POLL_ATTEMPTS = 36;
/** Statuses after which a transaction can never be paid. */
const FINAL_FAILURES = new Set(["cancelled", "failed", "refunded", "disputed"]);

export function paynowConfigured(): boolean {
  const config = env();
  return Boolean(config.PAYNOW_INTEGRATION_ID && config.PAYNOW_INTEGRATION_KEY);
}

function paynow() {
  const config = env();
  if (!config.PAYNOW_INTEGRATION_ID || !config.PAYNOW_INTEGRATION_KEY) {
    throw new AppError("UNAVAILABLE", "Paynow payments are not configured on this platform.");
  }
  return createPaynowClient({ baseUrl: config.PAYNOW_URL, integrationId: config.PAYNOW_INTEGRATION_ID, integrationKey: config.PAYNOW_INTEGRATION_KEY });
}

const cents = (amount: string) => Math.round(Number(amount) * 100);
const money = (amountCents: number) => (amountCents / 100).toFixed(2);

export const ZStartPaynowPaymentInput = z.discriminatedUnion("method", [
  z.object({ invoiceId: z.string().min(1).max(64), method: z.literal("WEB") }),
  z.object({
    invoiceId: z.string().min(1).max(64),
    method: z.enum(["ECOCASH", "ONEMONEY"]),
    phone: z
      .string()
      .max(32, { message: "Enter a mobile number such as 0771234567" })
      .trim()
      .transform((value) => value.replace(/[\s-]/g, "").replace(/^\+?263/, "0"))
      .pipe(z.string().regex(/^07\d{8}$/, { message: "Enter a mobile number such as 0771234567" })),
  }),
]);

/**
 * Starts a Paynow transaction for an unpaid invoice of the actor: web checkout (redirect) or
 * express checkout (USSD prompt on the phone). The reply's hash is verified by the client
 * before its URLs are used; the poll URL is stored and is the only one we ever poll.
 */
export async function startPaynowPayment(actor: UserActor, input: z.infer<typeof ZStartPaynowPaymentInput>, provider: BillingProvider = billingProvider()) {
  const client = paynow();
  const mirrored = await db.invoice.findFirst({ where: { id: input.invoiceId, ...billingScope(actor) } });
  if (!mirrored) throw new AppError("NOT_FOUND", "Invoice not found.");
  const invoice = await provider.getInvoice(mirrored.id);
  if (!invoice) throw new AppError("NOT_FOUND", "Invoice not found.");
  await mirrorInvoice(provider, invoice);
  if (invoice.balanceCents <= 0) throw new AppError("INVALID_STATE", `Invoice ${invoice.invoiceNumber} is already paid.`);
  const waiting = await db.paynowPayment.findFirst({
    where: { invoiceId: invoice.invoiceId, status: "PENDING", createdAt: { gte: new Date(Date.now() - PAYNOW_POLL_EVERY_MS * PAYNOW_POLL_ATTEMPTS) } },
  });
  if (waiting) {
    throw new AppError("CONFLICT", "A payment of this invoice is already waiting for approval; wait for it to finish before paying again.");
  }
  const attempts = await db.paynowPayment.count({ where: { invoiceId: invoice.invoiceId } });
  const reference = `INV${invoice.invoiceNumber.replace(/[^A-Za-z0-9]/g, "")}-${attempts + 1}-${Date.now().toString(36)}`;
  const payment = await db.paynowPayment.create({
    data: {
      reference,
      invoiceId: invoice.invoiceId,
      userId: actor.userId,
      method: input.method,
      phone: input.method === "WEB" ? null : input.phone,
      amountCents: invoice.balanceCents,
    },
  });
  const { APP_URL, PAYNOW_AUTH_EMAIL } = env();
  const common = {
    reference,
    amount: money(invoice.balanceCents),
    additionalInfo: `Invoice ${invoice.invoiceNumber}`,
    returnUrl: `${APP_URL}/billing?payment=${payment.id}`,
    resultUrl: `${APP_URL}/api/webhooks/paynow`,
  };
  try {
    if (input.method === "WEB") {
      const reply = await client.initiateWeb({ ...common, authEmail: PAYNOW_AUTH_EMAIL });
      await db.paynowPayment.update({ where: { id: payment.id }, data: { pollUrl: reply.pollUrl, browserUrl: reply.browserUrl } });
      await queuePoll(payment.id);
      await recordAudit({ actor, action: "payment.start", targetType: "invoice", targetId: invoice.invoiceId, details: { method: input.method, paymentId: payment.id } });
      return { paymentId: payment.id, browserUrl: reply.browserUrl, instructions: null };
    }
    if (!PAYNOW_AUTH_EMAIL) throw new AppError("UNAVAILABLE", "Mobile payments need PAYNOW_AUTH_EMAIL to be configured.");
    const reply = await client.initiateMobile({ ...common, authEmail: PAYNOW_AUTH_EMAIL, phone: input.phone, method: input.method === "ECOCASH" ? "ecocash" : "onemoney" });
    await db.paynowPayment.update({ where: { id: payment.id }, data: { pollUrl: reply.pollUrl, instructions: reply.instructions, paynowStatus: "Sent" } });
    await queuePoll(payment.id);
    await recordAudit({ actor, action: "payment.start", targetType: "invoice", targetId: invoice.invoiceId, details: { method: input.method, paymentId: payment.id } });
    return { paymentId: payment.id, browserUrl: null, instructions: reply.instructions };
  } catch (error) {
    if (!(error instanceof PaynowError)) throw error;
    const refused = error.kind === "rejected" || error.kind === "invalid-request";
    const reason = refused ? (error.paynowMessage ?? error.message) : "Paynow could not be reached or answered something we could not verify";
    await db.paynowPayment.update({ where: { id: payment.id }, data: { status: "FAILED", failureReason: reason } });
    if (!refused) {
      logger.warn({ err: error, paymentId: payment.id }, "Paynow initiate failed");
      throw new AppError("UNAVAILABLE", "Paynow is not answering right now; nothing was charged. Try again in a minute.");
    }
    const field = input.method === "WEB" ? "method" : "phone";
    throw new AppError("VALIDATION", `Paynow refused the payment: ${reason}`, { [field]: [`Paynow: ${reason}`] });
  }
}

/** Polls until Paynow has a final answer, in case its result post never reaches us. */
const queuePoll = (paymentId: string) =>
  enqueuePaynowPoll(paymentId, 1, PAYNOW_POLL_EVERY_MS).catch((error: unknown) =>
    logger.warn({ err: error, paymentId }, "could not queue the Paynow poll; the result post or the sweep will settle it"),
  );

export const ZPaymentId = z.object({ paymentId: z.string().min(1).max(64) });

/** What the billing page shows while it waits for a payment. */
export async function getPaynowPayment(actor: UserActor, paymentId: string) {
  const payment = await db.paynowPayment.findFirst({
    where: { id: paymentId, ...billingScope(actor) },
    select: { id: true, status: true, paynowStatus: true, method: true, instructions: true, failureReason: true, amountCents: true, invoiceId: true, paidAt: true },
  });
  if (!payment) throw new AppError("NOT_FOUND", "Payment not found.");
  return payment;
}

/**
 * Settles a payment from Paynow's own answer: polls the stored poll URL (never one from a
 * request), verifies the reply, checks reference, status and amount, and records the payment
 * exactly once (paynowreference is the key), then tells the billing provider.
 */
export async function confirmPaynowPayment(paymentId: string, provider: BillingProvider = billingProvider()): Promise<{ settled: boolean; result: string }> {
  const payment = await db.paynowPayment.findUnique({ where: { id: paymentId }, include: { invoice: { select: { accountId: true } } } });
  if (!payment) return { settled: true, result: "unknown payment" };
  if (payment.status === "PAID") {
    await recordWithProvider(payment, provider);
    return { settled: true, result: "already recorded" };
  }
  if (payment.status === "FAILED" || !payment.pollUrl) return { settled: true, result: `payment ${payment.status.toLowerCase()}` };
  const status = await paynow().poll(payment.pollUrl);
  await db.paynowPayment.update({ where: { id: payment.id }, data: { paynowStatus: status.status } });
  if (status.reference !== payment.reference) return reject(payment.id, `Paynow answered for reference ${status.reference}, not ${payment.reference}`);
  if (!status.paid) {
    if (FINAL_FAILURES.has(status.status.toLowerCase())) {
      await db.paynowPayment.update({ where: { id: payment.id }, data: { status: "FAILED", failureReason: `Paynow status ${status.status}` } });
      return { settled: true, result: `payment ${status.status.toLowerCase()}` };
    }
    return { settled: false, result: `Paynow status ${status.status}` };
  }
  if (cents(status.amount) !== payment.amountCents) {
    return reject(payment.id, `Paynow reports ${status.amount} paid, the invoice asked ${money(payment.amountCents)}`);
  }
  try {
    const { count } = await db.paynowPayment.updateMany({
      where: { id: payment.id, status: "PENDING" },
      data: { status: "PAID", paidAt: new Date(), paynowReference: status.paynowReference, failureReason: null },
    });
    if (count === 0) return { settled: true, result: "already recorded" };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      return reject(payment.id, `Paynow reference ${status.paynowReference} already paid another transaction`);
    }
    throw error;
  }
  await recordWithProvider({ ...payment, paynowReference: status.paynowReference }, provider);
  return { settled: true, result: `paid ${status.amount} (Paynow ${status.paynowReference})` };
}

/** Paynow's answer contradicts our transaction: nothing is recorded and the payment is failed for good. */
async function reject(paymentId: string, reason: string) {
  await db.paynowPayment.updateMany({ where: { id: paymentId, status: "PENDING" }, data: { status: "FAILED", failureReason: reason } });
  logger.warn({ paymentId, reason }, "Paynow payment refused");
  return { settled: true, result: `refused: ${reason}` };
}

/** Books the payment at the provider (idempotent by external key); retried by the sweep until done. */
async function recordWithProvider(
  payment: { id: string; invoiceId: string; amountCents: number; paynowReference: string | null; recordedAt: Date | null; invoice: { accountId: string } },
  provider: BillingProvider,
) {
  if (payment.recordedAt || !payment.paynowReference) return;
  await provider.recordExternalPayment({
    accountId: payment.invoice.accountId,
    invoiceId: payment.invoiceId,
    amountCents: payment.amountCents,
    externalKey: `paynow-${payment.paynowReference}`,
  });
  await db.paynowPayment.update({ where: { id: payment.id }, data: { recordedAt: new Date() } });
  const invoice = await provider.getInvoice(payment.invoiceId);
  if (invoice) await mirrorInvoice(provider, invoice);
}

/**
 * Paynow's POST to the result URL. The hash is checked on the raw body first: a bad one is
 * recorded as refused and answered 400. A good one is stored and its processing queued.
 */
export async function receivePaynowStatusUpdate(rawBody: string): Promise<{ accepted: boolean }> {
  const key = env().PAYNOW_INTEGRATION_KEY;
  const fields = key ? verifyPaynowMessage(rawBody, key) : null;
  // The reference is only a label here (cut to what our references look like): an unsigned body
  // is recorded as refused, never queued, and names nothing longer than 50 characters.
  const reference = (fields?.reference ?? new URLSearchParams(rawBody).get("reference") ?? "unknown").replace(/[^A-Za-z0-9._-]/g, "").slice(0, 50);
  const status = (fields?.status ?? "").replace(/[^A-Za-z ]/g, "").slice(0, 30);
  const event = await recordBillingEvent(
    {
      source: "PAYNOW",
      eventType: "STATUS_UPDATE",
      objectType: "PAYMENT",
      objectId: fields ? `${reference}:${status}:ok` : `${reference}:unverified:${sha(rawBody)}`,
      accountId: null,
      metaData: rawBody.slice(0, 4000),
    },
    fields ? {} : { refused: "hash did not verify" },
  );
  logger.info({ billingEventId: event.id, duplicate: event.duplicate, verified: fields !== null }, "Paynow status update stored");
  return { accepted: fields !== null };
}

const sha = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 32);

/** Processing of a stored Paynow status update (from handleBillingEvent). */
export async function handlePaynowStatusUpdate(
  event: BillingEvent,
  provider: BillingProvider = billingProvider(),
): Promise<{ status: "PROCESSED" | "IGNORED" | "REJECTED"; result: string }> {
  const key = env().PAYNOW_INTEGRATION_KEY;
  const fields: Record<string, string> | null = key && event.metaData ? verifyPaynowMessage(event.metaData, key) : null;
  if (!fields) return { status: "REJECTED", result: "hash did not verify" };
  const payment = await db.paynowPayment.findUnique({ where: { reference: fields.reference ?? "" }, select: { id: true, amountCents: true } });
  if (!payment) return { status: "REJECTED", result: `no transaction of ours has reference ${fields.reference ?? "(none)"}` };
  if (fields.amount && cents(fields.amount) !== payment.amountCents) {
    await reject(payment.id, `status update says ${fields.amount}, the invoice asked ${money(payment.amountCents)}`);
    return { status: "REJECTED", result: `amount ${fields.amount} does not match ${money(payment.amountCents)}` };
  }
  const outcome = await confirmPaynowPayment(payment.id, provider);
  return { status: outcome.result.startsWith("refused") ? "REJECTED" : "PROCESSED", result: outcome.result };
}

/** Job poll-paynow-payment: confirm, and poll again later while Paynow has no final answer. */
export async function pollPaynowPayment(paymentId: string, attempt: number) {
  const outcome = await confirmPaynowPayment(paymentId);
  if (!outcome.settled && attempt < PAYNOW_POLL_ATTEMPTS) await enqueuePaynowPoll(paymentId, attempt + 1, PAYNOW_POLL_EVERY_MS);
  return outcome;
}

export type { PaynowStatus };
