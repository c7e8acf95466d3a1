import { db } from "../../db";
import { logger } from "../../logger";
import type { BillingProvider } from "../../billing/types";
import { billingProvider } from "../../billing";
import { platformMetrics } from "../../metrics/registry";
import { enqueueBillingEvent } from "../../queue/queues";
import { handleBillingEvent } from "./handle-billing-event";

/**
 * Runs a stored billing event once. Finished events (processed, ignored, rejected) are left
 * alone; a failure (provider unreachable) is recorded and rethrown so the job retries.
 */
export async function processBillingEvent(billingEventId: string, provider: BillingProvider = billingProvider()) {
  const event = await db.billingEvent.findUnique({ where: { id: billingEventId } });
  if (!event) return { status: "MISSING" };
  if (event.status !== "RECEIVED" && event.status !== "FAILED") return { status: event.status };
  const log = logger.child({ billingEventId, eventType: event.eventType, source: event.source });
  try {
    const outcome = await handleBillingEvent(event, provider);
    await db.billingEvent.update({
      where: { id: event.id },
      data: { status: outcome.status, result: outcome.result, processedAt: new Date() },
    });
    countEvent(event.eventType, outcome.status);
    log.info({ status: outcome.status, result: outcome.result }, "billing event handled");
    return outcome;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await db.billingEvent.update({ where: { id: event.id }, data: { status: "FAILED", result: reason, processedAt: new Date() } });
    countEvent(event.eventType, "FAILED");
    throw error;
  }
}

/**
 * Admin replay: the stored event is processed again by the worker, like any delivery (one
 * execution path), from the state it re-reads: a replay changes nothing already done.
 */
export async function replayBillingEvent(billingEventId: string): Promise<{ queued: true } | null> {
  const { count } = await db.billingEvent.updateMany({ where: { id: billingEventId }, data: { status: "RECEIVED", result: "replay requested" } });
  if (count === 0) return null;
  await enqueueBillingEvent(billingEventId);
  return { queued: true };
}

const countEvent = (type: string, result: string) => platformMetrics().webhookEvents.inc({ type, result: result.toLowerCase() });
