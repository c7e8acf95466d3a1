import { db } from "../db";
import { logger } from "../logger";
import type { BillingEventSource } from "../generated/prisma/enums";
import { Prisma } from "../generated/prisma/client";
import { enqueueBillingEvent } from "../queue/queues";

export interface BillingEventInput {
  source: BillingEventSource;
  eventType: string;
  objectType: string | null;
  objectId: string | null;
  accountId: string | null;
  metaData: string | null;
}

/** Kill Bill's metaData is usually a JSON document inside a string; anything else has no actionType. */
export function metaDataField(metaData: string | null, field: string): string | null {
  if (!metaData) return null;
  try {
    const parsed: unknown = JSON.parse(metaData);
    if (parsed && typeof parsed === "object" && field in parsed) {
      const value = (parsed as Record<string, unknown>)[field];
      return value === null || value === undefined ? null : String(value);
    }
  } catch {
    // TENANT_CONFIG_* carry a plain string
  }
  return null;
}

/**
 * The dedupe key of a notification: (eventType, objectId, metaData.actionType), per source.
 * Kill Bill delivers at least once, retries after timeouts and does not keep order, so the
 * same key is one event however often it arrives. Payment events carry no actionType; their
 * paymentId is part of the key, so a second real attempt on one invoice is not taken for a
 * redelivery of the first (a redelivery repeats the same paymentId).
 */
export function billingEventDedupeKey(event: BillingEventInput): string {
  const object = event.objectId ?? (event.accountId ? `account:${event.accountId}` : `meta:${event.metaData ?? ""}`);
  const action = metaDataField(event.metaData, "actionType") ?? "-";
  const payment = metaDataField(event.metaData, "paymentId");
  return [event.source, event.eventType, object, action, ...(payment ? [payment] : [])].join("|");
}

/**
 * Stores an event once and queues its processing. A redelivery only counts the delivery (and
 * re-queues it if it never finished): it changes nothing else.
 */
export async function recordBillingEvent(
  event: BillingEventInput,
  options: { refused?: string } = {},
): Promise<{ id: string; duplicate: boolean }> {
  const dedupeKey = billingEventDedupeKey(event);
  let stored: { id: string; status: string };
  let duplicate = false;
  // A delivery refused on arrival (bad signature) is recorded as such and never queued.
  const refused = options.refused ? { status: "REJECTED" as const, result: options.refused, processedAt: new Date() } : {};
  try {
    stored = await db.billingEvent.create({ data: { ...event, dedupeKey, ...refused }, select: { id: true, status: true } });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    duplicate = true;
    stored = await db.billingEvent.update({
      where: { dedupeKey },
      data: { deliveries: { increment: 1 }, lastDeliveredAt: new Date() },
      select: { id: true, status: true },
    });
  }
  if (!duplicate || stored.status === "RECEIVED" || stored.status === "FAILED") {
    // If Redis is down the event stays RECEIVED and the billing sweep queues it later.
    await enqueueBillingEvent(stored.id, { fresh: !duplicate }).catch((error: unknown) =>
      logger.warn({ err: error, billingEventId: stored.id }, "could not queue a billing event; the sweep will"),
    );
  }
  return { id: stored.id, duplicate };
}
