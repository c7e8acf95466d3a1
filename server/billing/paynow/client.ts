/**
 * A small typed client for Paynow's raw HTTP protocol (contract: the paynow.md contract).
 * Web checkout (initiatetransaction), express checkout for EcoCash/OneMoney (remotetransaction),
 * polling and status updates. Every reply is hash-verified; every failure throws PaynowError.
 * No logging here: callers log with their own context.
 */
import { z } from "zod";
import { paynowHash, parsePaynowPairs, verifyPaynowMessage, type PaynowPairs } from "./hash";

const DEFAULT_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * - `rejected`: Paynow answered `Status=Error`; `paynowMessage` holds its text.
 * - `bad-reply`: the reply did not verify or lacked fields (do not trust it).
 * - `unavailable`: network error, timeout or HTTP error status (worth retrying later).
 * - `invalid-request`: our input failed validation; nothing was sent.
 */
export type PaynowErrorKind = "rejected" | "bad-reply" | "unavailable" | "invalid-request";

export class PaynowError extends Error {
  constructor(
    readonly kind: PaynowErrorKind,
    message: string,
    /** Paynow's own error text, for `rejected`. */
    readonly paynowMessage?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PaynowError";
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

const httpUrl = () => z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });

export const ZPaynowReference = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,50}$/, { message: "must be 1-50 characters of A-Z a-z 0-9 . _ -" });
export const ZPaynowAmount = z
  .string()
  .regex(/^\d+\.\d{2}$/, { message: "must be a decimal with 2 places, e.g. 8.00" })
  .refine((amount) => Number(amount) > 0, { message: "must be greater than zero" });
export const ZZimbabweMobile = z.string().regex(/^07\d{8}$/, { message: "must be a Zimbabwe mobile number 07XXXXXXXX" });

export const ZPaynowClientConfig = z.object({
  baseUrl: httpUrl(),
  integrationId: z.string().regex(/^\d+$/, { message: "must be the numeric integration id" }),
  integrationKey: z.string().min(1),
  timeoutMs: z.number().int().positive().optional(),
});
export type TPaynowClientConfig = z.infer<typeof ZPaynowClientConfig>;

export const ZPaynowWebInput = z.object({
  reference: ZPaynowReference,
  amount: ZPaynowAmount,
  /** Shown to the customer on Paynow; no secrets. */
  additionalInfo: z.string(),
  returnUrl: httpUrl(),
  resultUrl: httpUrl(),
  authEmail: z.email().optional(),
});
export type TPaynowWebInput = z.infer<typeof ZPaynowWebInput>;

export const ZPaynowMobileInput = ZPaynowWebInput.extend({
  authEmail: z.email(),
  phone: ZZimbabweMobile,
  method: z.enum(["ecocash", "onemoney"]),
});
export type TPaynowMobileInput = z.infer<typeof ZPaynowMobileInput>;

function validated<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const detail = result.error.issues.map((issue) => `${issue.path.join(".") || what}: ${issue.message}`).join("; ");
  throw new PaynowError("invalid-request", `invalid Paynow ${what}: ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------

export interface PaynowWebInitiation {
  browserUrl: string;
  pollUrl: string;
}

export interface PaynowMobileInitiation {
  pollUrl: string;
  /** What to show the payer (e.g. "approve the EcoCash prompt on your phone"); may be empty. */
  instructions: string;
}

export interface PaynowStatus {
  reference: string;
  /** As sent by Paynow, e.g. "8.00"; compare with the amount you asked for. */
  amount: string;
  paynowReference: string;
  pollUrl: string;
  /** As sent, e.g. "Paid", "Awaiting Delivery", "Sent", "Cancelled", "Failed". */
  status: string;
  /** Paid, Awaiting Delivery or Delivered (case-insensitive). */
  paid: boolean;
}

const PAID_STATUSES = new Set(["paid", "awaiting delivery", "delivered"]);

/** True for the statuses that mean "payment received"; any other or unknown status is not paid. */
export function paynowStatusIsPaid(status: string): boolean {
  return PAID_STATUSES.has(status.trim().toLowerCase());
}

const ZWebReply = z.object({ browserurl: httpUrl(), pollurl: httpUrl() });
const ZMobileReply = z.object({ pollurl: httpUrl(), instructions: z.string().default("") });
const ZStatusFields = z.object({
  reference: z.string().min(1),
  amount: z.string().min(1),
  paynowreference: z.string().min(1),
  pollurl: httpUrl(),
  status: z.string().min(1),
});

function lowerCaseKeys(pairs: PaynowPairs): Record<string, string> {
  return Object.fromEntries(pairs.map(([key, value]) => [key.toLowerCase(), value]));
}

function replyFields<S extends z.ZodType>(schema: S, fields: Record<string, string>, what: string): z.infer<S> {
  const result = schema.safeParse(fields);
  if (result.success) return result.data;
  const missing = result.error.issues.map((issue) => issue.path.join(".")).join(", ");
  throw new PaynowError("bad-reply", `Paynow ${what} lacks valid fields: ${missing}`);
}

/** Throws for `Status=Error` and for replies whose hash does not verify; else the fields. */
function verifiedReply(body: string, integrationKey: string): Record<string, string> {
  const fields = lowerCaseKeys(parsePaynowPairs(body));
  if (fields.status?.trim().toLowerCase() === "error") {
    const text = fields.error?.trim() || "unknown error";
    throw new PaynowError("rejected", `Paynow refused the request: ${text}`, text);
  }
  const verified = verifyPaynowMessage(body, integrationKey);
  if (!verified) throw new PaynowError("bad-reply", "reply hash did not verify");
  return verified;
}

function requireOk(fields: Record<string, string>): void {
  const status = fields.status ?? "";
  if (status.trim().toLowerCase() !== "ok") {
    throw new PaynowError("bad-reply", `Paynow replied with status '${status}' instead of Ok`);
  }
}

function toStatus(fields: Record<string, string>, what: string): PaynowStatus {
  const f = replyFields(ZStatusFields, fields, what);
  return {
    reference: f.reference,
    amount: f.amount,
    paynowReference: f.paynowreference,
    pollUrl: f.pollurl,
    status: f.status,
    paid: paynowStatusIsPaid(f.status),
  };
}

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `Paynow did not answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `could not reach Paynow: ${error instanceof Error ? error.message : String(error)}${cause}`;
}

/** POSTs a form (or an empty body) and returns the reply text; throws `unavailable`. */
async function postForm(url: string, body: URLSearchParams | undefined, timeoutMs: number): Promise<string> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body?.toString() ?? "",
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new PaynowError("unavailable", describeFailure(error, timeoutMs), undefined, { cause: error });
  }
  if (!response.ok) {
    throw new PaynowError("unavailable", `Paynow answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  return text;
}

/** Appends `hash` to the ordered fields and form-encodes them (values hashed raw, encoded once). */
function signedForm(pairs: PaynowPairs, integrationKey: string): URLSearchParams {
  return new URLSearchParams([...pairs, ["hash", paynowHash(pairs, integrationKey)]]);
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

export interface PaynowClient {
  /** Web (redirect) checkout: send the customer's browser to `browserUrl`; keep `pollUrl`. */
  initiateWeb(input: TPaynowWebInput): Promise<PaynowWebInitiation>;
  /** Express checkout: Paynow pushes a USSD PIN prompt to `phone`; keep `pollUrl`. */
  initiateMobile(input: TPaynowMobileInput): Promise<PaynowMobileInitiation>;
  /** Current status (empty POST to the stored poll URL), hash-verified. */
  poll(pollUrl: string): Promise<PaynowStatus>;
  /**
   * A status update POSTed to the result URL, from its raw body. Null when the hash does not
   * verify; throws `bad-reply` when it verifies but lacks fields. Confirm with `poll()` on the
   * poll URL you stored (not the one in the update) before recording a payment.
   */
  parseStatusUpdate(rawBody: string): PaynowStatus | null;
}

function webFields(integrationId: string, input: TPaynowWebInput): PaynowPairs {
  const pairs: PaynowPairs = [
    ["id", integrationId],
    ["reference", input.reference],
    ["amount", input.amount],
    ["additionalinfo", input.additionalInfo],
    ["returnurl", input.returnUrl],
    ["resulturl", input.resultUrl],
  ];
  if (input.authEmail !== undefined) pairs.push(["authemail", input.authEmail]);
  pairs.push(["status", "Message"]);
  return pairs;
}

/** The official SDK's order for remotetransaction. */
function mobileFields(integrationId: string, input: TPaynowMobileInput): PaynowPairs {
  return [
    ["resulturl", input.resultUrl],
    ["returnurl", input.returnUrl],
    ["reference", input.reference],
    ["amount", input.amount],
    ["id", integrationId],
    ["additionalinfo", input.additionalInfo],
    ["authemail", input.authEmail],
    ["phone", input.phone],
    ["method", input.method],
    ["status", "Message"],
  ];
}

export function createPaynowClient(config: {
  baseUrl: string;
  integrationId: string;
  integrationKey: string;
  timeoutMs?: number;
}): PaynowClient {
  const { baseUrl, integrationId, integrationKey, timeoutMs = DEFAULT_TIMEOUT_MS } = validated(
    ZPaynowClientConfig,
    config,
    "client config",
  );
  const endpoint = (path: string): string => `${baseUrl.replace(/\/+$/, "")}${path}`;

  async function initiate(path: string, pairs: PaynowPairs): Promise<Record<string, string>> {
    const body = await postForm(endpoint(path), signedForm(pairs, integrationKey), timeoutMs);
    const fields = verifiedReply(body, integrationKey);
    requireOk(fields);
    return fields;
  }

  return {
    async initiateWeb(raw) {
      const input = validated(ZPaynowWebInput, raw, "web payment");
      const fields = await initiate("/interface/initiatetransaction", webFields(integrationId, input));
      const reply = replyFields(ZWebReply, fields, "initiate reply");
      return { browserUrl: reply.browserurl, pollUrl: reply.pollurl };
    },

    async initiateMobile(raw) {
      const input = validated(ZPaynowMobileInput, raw, "mobile payment");
      const fields = await initiate("/interface/remotetransaction", mobileFields(integrationId, input));
      const reply = replyFields(ZMobileReply, fields, "express checkout reply");
      return { pollUrl: reply.pollurl, instructions: reply.instructions };
    },

    async poll(rawPollUrl) {
      const pollUrl = validated(httpUrl(), rawPollUrl, "poll URL");
      const body = await postForm(pollUrl, undefined, timeoutMs);
      return toStatus(verifiedReply(body, integrationKey), "poll reply");
    },

    parseStatusUpdate(rawBody) {
      const fields = verifyPaynowMessage(rawBody, integrationKey);
      return fields ? toStatus(fields, "status update") : null;
    },
  };
}
