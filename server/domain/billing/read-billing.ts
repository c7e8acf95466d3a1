import { z } from "zod";
import type { UserActor } from "../../auth/actor";
import { db } from "../../db";
import { billingScope } from "./billing-scope";
import { AppError } from "../../errors";
import type { BillingEventSource, BillingEventStatus } from "../../generated/prisma/enums";
import { paynowConfigured } from "./paynow-payments";
import { replayBillingEvent } from "./process-billing-event";
import { recordAudit } from "../../audit/record-audit";

/** The customer's billing page: subscriptions, invoices and what they can do about them. */
export async function getBillingOverview(actor: UserActor) {
  const [user, subscriptions, invoices] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { trialUsedAt: true } }),
    db.subscription.findMany({
      where: billingScope(actor),
      orderBy: { createdAt: "desc" },
      select: {
        id: true,
        planName: true,
        phaseType: true,
        state: true,
        startedAt: true,
        chargedThroughDate: true,
        cancelledDate: true,
        instance: { select: { id: true, name: true, subdomain: true, status: true } },
      },
    }),
    db.invoice.findMany({
      where: { ...billingScope(actor), status: { not: "DRAFT" } },
      orderBy: { invoiceDate: "desc" },
      take: 100,
      select: {
        id: true,
        invoiceNumber: true,
        invoiceDate: true,
        amountCents: true,
        balanceCents: true,
        currency: true,
        status: true,
        paidAt: true,
        paymentFailedAt: true,
        subscriptionIds: true,
        paynowPayments: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, paynowStatus: true, failureReason: true } },
      },
    }),
  ]);
  const instanceBySubscription = new Map(subscriptions.map((s) => [s.id, s.instance]));
  return {
    trialAvailable: !user.trialUsedAt,
    paynowEnabled: paynowConfigured(),
    subscriptions,
    invoices: invoices.map(({ subscriptionIds, paynowPayments, ...invoice }) => ({
      ...invoice,
      instances: subscriptionIds.flatMap((id) => {
        const instance = instanceBySubscription.get(id);
        return instance ? [{ id: instance.id, name: instance.name }] : [];
      }),
      lastPayment: paynowPayments[0] ?? null,
    })),
  };
}

export const ZBillingEventQuery = z.object({
  source: z.enum(["KILLBILL", "BUILTIN", "PAYNOW"]).optional(),
  status: z.enum(["RECEIVED", "PROCESSED", "IGNORED", "REJECTED", "FAILED"]).optional(),
  eventType: z.string().trim().max(64).optional(),
  take: z.number().int().min(1).max(200).default(100),
});

/** Admin: stored billing notifications with what processing made of them. */
export async function listBillingEvents(input: z.infer<typeof ZBillingEventQuery>) {
  return db.billingEvent.findMany({
    where: {
      ...(input.source ? { source: input.source as BillingEventSource } : {}),
      ...(input.status ? { status: input.status as BillingEventStatus } : {}),
      ...(input.eventType ? { eventType: input.eventType.toUpperCase() } : {}),
    },
    orderBy: { receivedAt: "desc" },
    take: input.take,
    select: {
      id: true,
      source: true,
      eventType: true,
      objectType: true,
      objectId: true,
      accountId: true,
      status: true,
      result: true,
      deliveries: true,
      receivedAt: true,
      lastDeliveredAt: true,
      processedAt: true,
    },
  });
}

/** Admin: process a stored event again (idempotent: it acts on the state it re-reads). */
export async function replayBillingEventAsAdmin(actor: UserActor, id: string) {
  const outcome = await replayBillingEvent(id);
  if (!outcome) throw new AppError("NOT_FOUND", "Billing event not found.");
  await recordAudit({ actor, action: "billing-event.replay", targetType: "billing-event", targetId: id, details: { outcome } });
  return outcome;
}

/** One line per live subscription, for the profile and the admin's customer view. */
export async function subscriptionSummary(userId: string) {
  const rows = await db.subscription.findMany({
    where: { userId, state: { not: "CANCELLED" } },
    orderBy: { createdAt: "desc" },
    select: { id: true, planName: true, phaseType: true, state: true, chargedThroughDate: true, instance: { select: { id: true, name: true } } },
  });
  return rows.map((row) => ({
    id: row.id,
    planName: row.planName,
    status: row.phaseType === "TRIAL" ? "TRIAL" : row.state,
    chargedThroughDate: row.chargedThroughDate,
    instanceId: row.instance.id,
    instanceName: row.instance.name,
  }));
}

/** The admin's customer view: the customer's latest invoices. */
export function recentInvoices(userId: string) {
  return db.invoice.findMany({
    where: { userId },
    orderBy: { invoiceDate: "desc" },
    take: 20,
    select: { id: true, invoiceNumber: true, invoiceDate: true, amountCents: true, balanceCents: true, status: true, paidAt: true },
  });
}
