// Status updates to the merchant's resulturl (TEST FIXTURE), as docs/status_update.md describes:
// a form POST on every status change, resent on an HTTP error status "up to ten times".
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** One POST of a status update and how it went. */
export interface StatusUpdateAttempt {
  status: string;
  /** 1 for the first POST, 2..11 for the resends. */
  attempt: number;
  at: Date;
  /** The merchant's HTTP status, or null when the request failed (`error`). */
  httpStatus: number | null;
  error: string | null;
}

export const MAX_RESENDS = 10;
const ATTEMPT_TIMEOUT_MS = 10_000;

/** POSTs a form body; resolves with the HTTP status, rejects on connection errors and timeouts. */
export function postFormOnce(url: string, body: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      signal,
      timeout: ATTEMPT_TIMEOUT_MS,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": Buffer.byteLength(body),
      },
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.end(body);
  });
}

export interface DeliveryOptions {
  url: string;
  body: string;
  status: string;
  retryDelayMs: number;
  signal: AbortSignal;
  record: (attempt: StatusUpdateAttempt) => void;
}

async function attemptOnce(options: DeliveryOptions, attempt: number): Promise<StatusUpdateAttempt> {
  const at = new Date();
  try {
    const httpStatus = await postFormOnce(options.url, options.body, options.signal);
    return { status: options.status, attempt, at, httpStatus, error: null };
  } catch (error) {
    const message = error instanceof Error ? error.message || error.name : String(error);
    return { status: options.status, attempt, at, httpStatus: null, error: message };
  }
}

/**
 * Delivers one status update: the first POST plus up to MAX_RESENDS resends while the answer is
 * not 2xx. Returns whether a 2xx arrived. Stops silently when `signal` aborts (reset/close).
 */
export async function deliverStatusUpdate(options: DeliveryOptions): Promise<boolean> {
  for (let attempt = 1; attempt <= MAX_RESENDS + 1; attempt += 1) {
    if (options.signal.aborted) return false;
    const outcome = await attemptOnce(options, attempt);
    if (options.signal.aborted) return false;
    options.record(outcome);
    if (outcome.httpStatus !== null && outcome.httpStatus >= 200 && outcome.httpStatus < 300) return true;
    if (attempt <= MAX_RESENDS) {
      await sleep(options.retryDelayMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  }
  return false;
}
