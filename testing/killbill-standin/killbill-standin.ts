import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { accountJson } from "./accounts.ts";
import { processDueEvents } from "./billing-cycle.ts";
import { handleControlRequest, type StandinControls } from "./control-routes.ts";
import { DAY_MS } from "./dates.ts";
import { refusals } from "./errors.ts";
import { asKillbillError, errorReply, writeReply, type Reply } from "./http-io.ts";
import { invoiceJson } from "./invoices.ts";
import type { AccountJson, InvoiceJson, NotificationJson, SubscriptionJson } from "./json-types.ts";
import { handleKbRequest, type KbCredentials } from "./kb-api.ts";
import { LedgerState, type Ledger } from "./ledger.ts";
import { failPayment } from "./payments.ts";
import { PushNotifier, type PushRecord } from "./push-notifier.ts";
import { subscriptionJson } from "./subscriptions.ts";

/**
 * A TEST FIXTURE, never production: an in-memory HTTP server that answers like Kill Bill 0.24 for
 * the endpoints the platform's Kill Bill client calls, and pushes notifications to the registered
 * callback like Kill Bill does (see README.md in this folder).
 */

export type { NotificationJson } from "./json-types.ts";
export type { PushAttempt, PushOutcome, PushRecord } from "./push-notifier.ts";
export type { StandinControls } from "./control-routes.ts";

export interface KillbillStandinOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  username?: string;
  password?: string;
  apiKey?: string;
  apiSecret?: string;
  /** Delay before each retry of a failed push; real Kill Bill: 15m,30m,2h,12h,1d. */
  retryDelaysMs?: number[];
  /** How long a push may take before it counts as failed (Kill Bill: 15 s). */
  pushTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface KillbillStandin extends StandinControls {
  /** Base URL, e.g. http://127.0.0.1:41234 (Kill Bill's API is under /1.0/kb). */
  readonly url: string;
  /** The registered push-notification callback, if any. */
  readonly callbackUrl: string | null;
  close(): Promise<void>;
}

export const STANDIN_DEFAULTS = {
  username: "admin",
  password: "password",
  apiKey: "odoo-saas",
  apiSecret: "odoo-saas-secret",
  retryDelaysMs: [200, 400, 800, 1600, 3200],
  pushTimeoutMs: 15_000,
} as const;

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

class Standin implements KillbillStandin {
  readonly url: string;
  private clockOffsetMs = 0;
  private readonly state = new LedgerState();
  private readonly ledger: Ledger;

  constructor(
    private readonly server: Server,
    address: AddressInfo,
    private readonly notifier: PushNotifier,
  ) {
    this.url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
    this.ledger = {
      state: this.state,
      now: () => this.now(),
      emit: (notification) => {
        this.notifier.push(notification);
      },
    };
  }

  get callbackUrl(): string | null {
    return this.state.callbackUrl;
  }

  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  advanceClock(days: number): Date {
    if (!Number.isFinite(days) || days < 0) throw refusals.badRequest(`advanceClock: days must be a number >= 0, got ${days}`);
    this.clockOffsetMs += days * DAY_MS;
    processDueEvents(this.ledger);
    return this.now();
  }

  failPayment(invoiceId: string): void {
    failPayment(this.ledger, invoiceId);
  }

  pushRaw(notification: NotificationJson): void {
    this.notifier.push(notification);
  }

  waitForDeliveries(): Promise<void> {
    return this.notifier.whenIdle();
  }

  get notifications(): readonly PushRecord[] {
    return this.notifier.notifications;
  }

  get accounts(): readonly AccountJson[] {
    return [...this.state.accounts.values()].map((account) => accountJson(this.ledger, account));
  }

  get subscriptions(): readonly SubscriptionJson[] {
    return [...this.state.subscriptions.values()].map(subscriptionJson);
  }

  get invoices(): readonly InvoiceJson[] {
    return [...this.state.invoices.values()].map((invoice) => invoiceJson(this.ledger, invoice));
  }

  reset(): void {
    this.notifier.reset();
    this.state.clear();
    this.clockOffsetMs = 0;
  }

  async close(): Promise<void> {
    this.notifier.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  async route(request: IncomingMessage, url: URL, credentials: KbCredentials): Promise<Reply> {
    if (url.pathname.startsWith("/__standin/")) return handleControlRequest(this, request, url);
    if (url.pathname === "/1.0/kb" || url.pathname.startsWith("/1.0/kb/")) return handleKbRequest(this.ledger, credentials, request, url);
    throw refusals.notFound(`No resource at ${url.pathname}`);
  }
}

/** Starts the stand-in; resolves once it listens. */
export async function startKillbillStandin(options: KillbillStandinOptions = {}): Promise<KillbillStandin> {
  const log = options.log ?? (() => {});
  const credentials: KbCredentials = {
    username: options.username ?? STANDIN_DEFAULTS.username,
    password: options.password ?? STANDIN_DEFAULTS.password,
    apiKey: options.apiKey ?? STANDIN_DEFAULTS.apiKey,
    apiSecret: options.apiSecret ?? STANDIN_DEFAULTS.apiSecret,
  };
  let standin: Standin | null = null;
  const notifier = new PushNotifier({
    retryDelaysMs: options.retryDelaysMs ?? [...STANDIN_DEFAULTS.retryDelaysMs],
    timeoutMs: options.pushTimeoutMs ?? STANDIN_DEFAULTS.pushTimeoutMs,
    callbackUrl: () => standin?.callbackUrl ?? null,
    log,
  });

  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://standin.invalid");
    let reply: Reply;
    try {
      if (!standin) throw new Error("the stand-in is starting");
      reply = await standin.route(request, url, credentials);
    } catch (error) {
      reply = errorReply(asKillbillError(error));
    }
    log(`${request.method ?? "GET"} ${url.pathname} -> ${reply.status}`);
    writeReply(response, reply);
  }

  const server = createServer((request, response) => void respond(request, response));
  const address = await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  standin = new Standin(server, address, notifier);
  log(`Kill Bill stand-in listening on ${standin.url}`);
  return standin;
}
