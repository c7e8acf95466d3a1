import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { killbillClient } from "../../billing";
import { registerCallback } from "../../billing/killbill/setup";
import { env } from "../../env";
import { AppError } from "../../errors";
import { logger } from "../../logger";
import { recordBillingEvent } from "../../billing/record-billing-event";

/** Kill Bill's NotificationJson: exactly five fields; metaData is a string (often JSON inside). */
export const ZKillbillNotification = z
  .object({
    eventType: z.string().min(1).max(64).regex(/^[A-Z_]+$/, { message: "must be a Kill Bill event type" }),
    accountId: z.string().max(64).nullable(),
    objectType: z.string().max(64).nullable(),
    objectId: z.string().max(64).nullable(),
    metaData: z.string().max(16_384).nullable(),
  })
  .strict();

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function secretMatches(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * A push from Kill Bill to /api/webhooks/killbill/<secret>. The secret in the path is the only
 * proof of origin Kill Bill can give (its notifications are unsigned): anything else is
 * NOT_FOUND. The body is validated, stored with its dedupe key and its processing queued;
 * the worker re-reads the object from Kill Bill before acting.
 */
export async function receiveKillbillNotification(secret: string, rawBody: string) {
  if (!secretMatches(secret, env().KILLBILL_WEBHOOK_SECRET)) throw new AppError("NOT_FOUND", "Not found.");
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new AppError("VALIDATION", "The body is not JSON.", { body: ["must be a JSON NotificationJson"] });
  }
  const parsed = ZKillbillNotification.safeParse(json);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[issue.path.join(".") || "body"] ??= []).push(issue.message);
    throw new AppError("VALIDATION", "Not a Kill Bill notification.", fieldErrors);
  }
  const stored = await recordBillingEvent({ source: "KILLBILL", ...parsed.data });
  logger.info({ billingEventId: stored.id, eventType: parsed.data.eventType, duplicate: stored.duplicate }, "Kill Bill notification stored");
  return stored;
}

/** The callback URL Kill Bill posts to (its secret is part of it: never log it). */
export function killbillCallbackUrl(): string {
  const config = env();
  const base = config.KILLBILL_CALLBACK_BASE_URL ?? config.APP_URL;
  return `${base.replace(/\/$/, "")}/api/webhooks/killbill/${config.KILLBILL_WEBHOOK_SECRET}`;
}

/** Registers our callback for the tenant (one per tenant: this replaces any other). */
export async function registerKillbillCallback(): Promise<void> {
  const { registered } = await registerCallback(killbillClient(), killbillCallbackUrl());
  logger.info(registered ? "Kill Bill push-notification callback registered" : "Kill Bill push-notification callback already registered");
}
