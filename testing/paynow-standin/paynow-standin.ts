// A Paynow protocol stand-in: a TEST FIXTURE, never used in production. It speaks Paynow's raw
// HTTP protocol (contract: the paynow.md contract) in test mode: web checkout with a
// Pay/Cancel page, EcoCash/OneMoney express checkout with the documented test numbers, polling,
// and hashed status updates to the resulturl with resends. See README.md in this folder.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { confirmPage, messagePage } from "./confirm-page.ts";
import {
  checkInitiateRequest,
  errorReply,
  formEncode,
  signedMessage,
  type InitiateRequest,
  type MerchantSettings,
  type MobileMethod,
} from "./protocol.ts";
import { deliverStatusUpdate, type StatusUpdateAttempt } from "./status-updates.ts";

export type { StatusUpdateAttempt } from "./status-updates.ts";

export interface PaynowStandinOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  integrationId: string;
  integrationKey: string;
  /** When set, remotetransaction requires authemail to equal it (Paynow test mode). */
  merchantEmail?: string;
  /** Multiplies the documented delays (5 s, 30 s, 1 s between resends); default 1. */
  timeScale?: number;
  /** Reply with capitalised keys (Status, BrowserUrl, PollUrl, Hash...), as Paynow sometimes does. */
  capitaliseKeys?: boolean;
  log?: (line: string) => void;
}

export interface PaynowStandinTransaction {
  kind: "web" | "mobile";
  reference: string;
  amount: string;
  additionalInfo: string;
  status: string;
  method: MobileMethod | null;
  phone: string | null;
  authEmail: string | null;
  returnUrl: string;
  resultUrl: string;
  pollUrl: string;
  /** Web only: the stand-in's payment page. */
  browserUrl: string | null;
  paynowReference: string;
  guid: string;
  /** Request keys in the order the client sent them. */
  fieldOrder: readonly string[];
  createdAt: Date;
  /** Every POST to resultUrl, in order, with its outcome. */
  statusUpdates: readonly StatusUpdateAttempt[];
}

export interface PaynowStandin {
  readonly url: string;
  /** A snapshot, oldest first. */
  readonly transactions: readonly Readonly<PaynowStandinTransaction>[];
  /** Test control: set a transaction's status (e.g. "Awaiting Delivery", "Refunded") and notify. */
  setStatus(reference: string, status: string): void;
  /** Resolves once no status update is being delivered (resends included). */
  settled(): Promise<void>;
  /** Forgets all transactions, cancels pending status changes and deliveries. */
  reset(): void;
  close(): Promise<void>;
}

type Transaction = Omit<PaynowStandinTransaction, "statusUpdates"> & { statusUpdates: StatusUpdateAttempt[] };

/** Express checkout test numbers (docs/test_mode.md). */
type TestNumberOutcome = { kind: "later"; status: string; afterMs: number } | { kind: "refuse"; error: string };
const TEST_NUMBERS: Readonly<Record<string, TestNumberOutcome>> = {
  "0771111111": { kind: "later", status: "Paid", afterMs: 5_000 },
  "0772222222": { kind: "later", status: "Paid", afterMs: 30_000 },
  "0773333333": { kind: "later", status: "Failed", afterMs: 30_000 },
  "0774444444": { kind: "refuse", error: "Insufficient balance" },
};
const RESEND_DELAY_MS = 1_000;
const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, "body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, statusCode: number, contentType: string, body: string): void {
  res.writeHead(statusCode, { "content-type": `${contentType}; charset=utf-8`, "cache-control": "no-store" });
  res.end(body);
}

const sendText = (res: ServerResponse, body: string, statusCode = 200) => send(res, statusCode, "text/plain", body);
const sendHtml = (res: ServerResponse, body: string, statusCode = 200) => send(res, statusCode, "text/html", body);

function snapshot(tx: Transaction): Readonly<PaynowStandinTransaction> {
  return Object.freeze({
    ...tx,
    fieldOrder: Object.freeze([...tx.fieldOrder]),
    createdAt: new Date(tx.createdAt),
    statusUpdates: Object.freeze(tx.statusUpdates.map((attempt) => Object.freeze({ ...attempt, at: new Date(attempt.at) }))),
  });
}

function mobileInstructions(method: MobileMethod, phone: string, amount: string): string {
  const wallet = method === "ecocash" ? "EcoCash" : "OneMoney";
  return `A ${wallet} prompt for ${amount} was sent to ${phone}. Enter your PIN on the handset to approve the payment.`;
}

export async function startPaynowStandin(options: PaynowStandinOptions): Promise<PaynowStandin> {
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale < 0) throw new Error(`timeScale must be >= 0, got ${timeScale}`);
  const merchant: MerchantSettings = {
    integrationId: options.integrationId,
    integrationKey: options.integrationKey,
    merchantEmail: options.merchantEmail,
  };
  const log = options.log ?? (() => undefined);
  const capitaliseKeys = options.capitaliseKeys ?? false;
  const host = options.host ?? "127.0.0.1";

  let transactions: Transaction[] = [];
  let timers = new Set<NodeJS.Timeout>();
  let lifetime = new AbortController();
  const deliveries = new Set<Promise<unknown>>();
  // Like Paynow's, references never repeat, not even across restarts of the stand-in.
  let nextPaynowReference = Date.now() % 1_000_000_000_000;
  let baseUrl = "";

  const byGuid = (guid: string) => transactions.find((tx) => tx.guid === guid);
  const byPaynowReference = (ref: string) => transactions.find((tx) => tx.paynowReference === ref);

  // ---------------------------------------------------------------------------------------------
  // Status changes and status updates
  // ---------------------------------------------------------------------------------------------

  function statusFields(tx: Transaction): [string, string][] {
    return [
      ["reference", tx.reference],
      ["amount", tx.amount],
      ["paynowreference", tx.paynowReference],
      ["pollurl", tx.pollUrl],
      ["status", tx.status],
    ];
  }

  function notify(tx: Transaction): void {
    const delivery = deliverStatusUpdate({
      url: tx.resultUrl,
      // Status updates are form posts: lower-case keys, as documented.
      body: signedMessage(statusFields(tx), merchant.integrationKey),
      status: tx.status,
      retryDelayMs: RESEND_DELAY_MS * timeScale,
      signal: lifetime.signal,
      record: (attempt) => {
        tx.statusUpdates.push(attempt);
        const outcome = attempt.httpStatus === null ? attempt.error : `HTTP ${attempt.httpStatus}`;
        log(`status update ${tx.reference} ${attempt.status} #${attempt.attempt} -> ${outcome}`);
      },
    });
    deliveries.add(delivery);
    void delivery.finally(() => deliveries.delete(delivery));
  }

  function changeStatus(tx: Transaction, status: string): void {
    log(`${tx.reference} (${tx.paynowReference}) ${tx.status} -> ${status}`);
    tx.status = status;
    notify(tx);
  }

  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  // ---------------------------------------------------------------------------------------------
  // Interface endpoints
  // ---------------------------------------------------------------------------------------------

  function createTransaction(request: InitiateRequest, kind: "web" | "mobile"): Transaction {
    const paynowReference = String(nextPaynowReference++);
    const guid = randomUUID();
    const tx: Transaction = {
      ...request,
      kind,
      status: kind === "web" ? "Created" : "Sent",
      pollUrl: `${baseUrl}/interface/checkpayment/?guid=${guid}`,
      browserUrl: kind === "web" ? `${baseUrl}/payment/confirm/${paynowReference}` : null,
      paynowReference,
      guid,
      createdAt: new Date(),
      statusUpdates: [],
    };
    transactions.push(tx);
    log(`initiated ${kind} ${tx.reference} ${tx.amount} -> ${paynowReference} (${tx.status})`);
    return tx;
  }

  function initiateWeb(rawBody: string): string {
    const checked = checkInitiateRequest(rawBody, "web", merchant);
    if (!checked.ok) return refuse("web", checked.error);
    const tx = createTransaction(checked.value, "web");
    return signedMessage(
      [
        ["status", "Ok"],
        ["browserurl", tx.browserUrl ?? ""],
        ["pollurl", tx.pollUrl],
        ["paynowreference", tx.paynowReference],
      ],
      merchant.integrationKey,
      capitaliseKeys,
    );
  }

  function initiateMobile(rawBody: string): string {
    const checked = checkInitiateRequest(rawBody, "mobile", merchant);
    if (!checked.ok) return refuse("mobile", checked.error);
    const request = checked.value;
    const outcome = TEST_NUMBERS[request.phone ?? ""];
    if (outcome?.kind === "refuse") return refuse("mobile", outcome.error);
    const tx = createTransaction(request, "mobile");
    if (outcome?.kind === "later") {
      // Unless a test moved it on with setStatus() meanwhile.
      later(outcome.afterMs * timeScale, () => tx.status === "Sent" && changeStatus(tx, outcome.status));
    }
    return signedMessage(
      [
        ["status", "Ok"],
        ["instructions", mobileInstructions(request.method ?? "ecocash", request.phone ?? "", request.amount)],
        ["pollurl", tx.pollUrl],
        ["paynowreference", tx.paynowReference],
      ],
      merchant.integrationKey,
      capitaliseKeys,
    );
  }

  function refuse(kind: string, error: string): string {
    log(`refused ${kind} initiation: ${error}`);
    return errorReply(error);
  }

  function poll(guid: string | null): string {
    const tx = guid ? byGuid(guid) : undefined;
    if (!tx) return errorReply("Transaction not found");
    return signedMessage(statusFields(tx), merchant.integrationKey, capitaliseKeys);
  }

  // ---------------------------------------------------------------------------------------------
  // Payment page (web checkout)
  // ---------------------------------------------------------------------------------------------

  function showPaymentPage(res: ServerResponse, ref: string): void {
    const tx = byPaynowReference(ref);
    if (!tx) return sendHtml(res, messagePage("Not found", `No transaction ${ref}.`), 404);
    sendHtml(res, confirmPage(tx));
  }

  function merchantMayPay(tx: Transaction): boolean {
    if (!merchant.merchantEmail || !tx.authEmail) return true;
    return tx.authEmail.trim().toLowerCase() === merchant.merchantEmail.trim().toLowerCase();
  }

  function confirmPayment(res: ServerResponse, ref: string, rawBody: string): void {
    const tx = byPaynowReference(ref);
    if (!tx) return sendHtml(res, messagePage("Not found", `No transaction ${ref}.`), 404);
    const action = new URLSearchParams(rawBody).get("action");
    if (action !== "pay" && action !== "cancel") {
      return sendHtml(res, messagePage("Bad request", "action must be pay or cancel"), 400);
    }
    if (tx.status !== "Created") return sendHtml(res, confirmPage(tx), 409);
    if (action === "pay" && !merchantMayPay(tx)) {
      const text = "The merchant is in testing: only the merchant's own account can fake a payment.";
      return sendHtml(res, messagePage("Test mode", text), 403);
    }
    changeStatus(tx, action === "pay" ? "Paid" : "Cancelled");
    res.writeHead(303, { location: tx.returnUrl, "cache-control": "no-store" });
    res.end();
  }

  // ---------------------------------------------------------------------------------------------
  // Routing
  // ---------------------------------------------------------------------------------------------

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://standin");
    const path = url.pathname.toLowerCase().replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    const confirm = /^\/payment\/confirm\/([^/]+)$/.exec(path);

    if (method === "GET" && path === "/") return sendText(res, "Paynow stand-in (test fixture)\n");
    if (method === "GET" && confirm?.[1]) return showPaymentPage(res, decodeURIComponent(confirm[1]));
    if (method !== "POST") return sendText(res, "Not found\n", 404);

    const body = await readBody(req);
    if (confirm?.[1]) return confirmPayment(res, decodeURIComponent(confirm[1]), body);
    if (path === "/interface/initiatetransaction") return sendText(res, initiateWeb(body));
    if (path === "/interface/remotetransaction") return sendText(res, initiateMobile(body));
    if (path === "/interface/checkpayment") return sendText(res, poll(url.searchParams.get("guid")));
    sendText(res, "Not found\n", 404);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const statusCode = error instanceof HttpError ? error.statusCode : 500;
      const message = error instanceof Error ? error.message : String(error);
      log(`${req.method} ${req.url} failed: ${message}`);
      if (!res.headersSent) sendText(res, formEncode([["Status", "Error"], ["Error", message]]), statusCode);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;

  function stopBackgroundWork(): void {
    for (const timer of timers) clearTimeout(timer);
    timers = new Set();
    lifetime.abort();
    lifetime = new AbortController();
  }

  return {
    url: baseUrl,
    get transactions() {
      return Object.freeze(transactions.map(snapshot));
    },
    setStatus(reference, status) {
      const tx = transactions.findLast((candidate) => candidate.reference === reference);
      if (!tx) throw new Error(`no Paynow stand-in transaction with reference ${reference}`);
      changeStatus(tx, status);
    },
    async settled() {
      while (deliveries.size > 0) await Promise.allSettled([...deliveries]);
    },
    reset() {
      stopBackgroundWork();
      transactions = [];
      log("reset");
    },
    close() {
      stopBackgroundWork();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
