import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { refusals } from "./errors.ts";
import { jsonReply, noContentReply, parseJson, readBody, type Reply } from "./http-io.ts";
import type { AccountJson, InvoiceJson, NotificationJson, SubscriptionJson } from "./json-types.ts";
import type { PushRecord } from "./push-notifier.ts";
import { parseBody, ZNotificationBody } from "./request-schemas.ts";
import { findRoute, type PathParams } from "./router.ts";

/**
 * The test controls over HTTP, under /__standin/ (no authentication: a test fixture on loopback),
 * for tests that drive the stand-in from another process.
 */

export interface StandinControls {
  /** The stand-in's clock (real time plus every advanceClock). */
  now(): Date;
  /** Moves the clock forward and applies what falls due: trial ends, renewals, cancellations. */
  advanceClock(days: number): Date;
  /** A failed payment attempt of the invoice: INVOICE_PAYMENT_FAILED then PAYMENT_FAILED. */
  failPayment(invoiceId: string): void;
  /** Pushes an arbitrary NotificationJson to the callback (duplicates, out-of-order events). */
  pushRaw(notification: NotificationJson): void;
  /** Resolves when every push has been delivered, dropped or has no callback. */
  waitForDeliveries(): Promise<void>;
  readonly notifications: readonly PushRecord[];
  readonly accounts: readonly AccountJson[];
  readonly subscriptions: readonly SubscriptionJson[];
  readonly invoices: readonly InvoiceJson[];
  /** Forgets everything: accounts, catalog, callback, notifications, clock offset. */
  reset(): void;
}

interface ControlRequest {
  params: PathParams;
  query: URLSearchParams;
  body: unknown;
}

interface ControlRoute {
  method: "GET" | "POST";
  path: string;
  handle(controls: StandinControls, request: ControlRequest): Reply | Promise<Reply>;
}

const ZDays = z.coerce.number().finite().nonnegative();

function daysOf(request: ControlRequest): number {
  const fromBody = typeof request.body === "object" && request.body !== null ? (request.body as { days?: unknown }).days : undefined;
  const parsed = ZDays.safeParse(fromBody ?? request.query.get("days"));
  if (!parsed.success) throw refusals.badRequest("days must be a number >= 0 (body {\"days\": n} or ?days=n)");
  return parsed.data;
}

const clockReply = (now: Date): Reply => jsonReply({ now: now.toISOString() });

const controlRoutes: readonly ControlRoute[] = [
  { method: "GET", path: "/__standin/clock", handle: (controls) => clockReply(controls.now()) },
  { method: "POST", path: "/__standin/clock/advance", handle: (controls, request) => clockReply(controls.advanceClock(daysOf(request))) },
  {
    method: "POST",
    path: "/__standin/invoices/:invoiceId/fail-payment",
    handle(controls, request) {
      controls.failPayment(request.params.invoiceId ?? "");
      return noContentReply();
    },
  },
  {
    method: "POST",
    path: "/__standin/push",
    handle(controls, request) {
      controls.pushRaw(parseBody(ZNotificationBody, request.body, "NotificationJson"));
      return { status: 202 };
    },
  },
  { method: "GET", path: "/__standin/notifications", handle: (controls) => jsonReply(controls.notifications) },
  {
    method: "POST",
    path: "/__standin/notifications/wait",
    async handle(controls) {
      await controls.waitForDeliveries();
      return jsonReply(controls.notifications);
    },
  },
  { method: "GET", path: "/__standin/accounts", handle: (controls) => jsonReply(controls.accounts) },
  { method: "GET", path: "/__standin/subscriptions", handle: (controls) => jsonReply(controls.subscriptions) },
  { method: "GET", path: "/__standin/invoices", handle: (controls) => jsonReply(controls.invoices) },
  {
    method: "POST",
    path: "/__standin/reset",
    handle(controls) {
      controls.reset();
      return noContentReply();
    },
  },
];

export async function handleControlRequest(controls: StandinControls, request: IncomingMessage, url: URL): Promise<Reply> {
  const { route, params } = findRoute(controlRoutes, request.method ?? "GET", url.pathname);
  const text = await readBody(request);
  const body = text.trim() === "" ? undefined : parseJson(text);
  return route.handle(controls, { params, query: url.searchParams, body });
}
