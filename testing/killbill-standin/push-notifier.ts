import http from "node:http";
import https from "node:https";
import type { NotificationJson } from "./json-types.ts";

/**
 * Kill Bill's push-notification delivery (PushNotificationListener + PushNotificationRetryService):
 * a POST of the NotificationJson to the tenant's callback with only `User-Agent: KillBill/1.0` and
 * `Content-Type: application/json; charset=UTF-8`; success is a 2xx; anything else (status,
 * connection error, timeout) is retried after each of `retryDelaysMs`, then dropped. First
 * attempts go out one at a time in the order the events happened; a retry is sent on its own timer
 * (so a later event can overtake it, as in Kill Bill).
 */

export type PushOutcome = "pending" | "delivered" | "dropped" | "no callback";

export interface PushAttempt {
  at: string;
  /** HTTP status answered, or null when there was no answer. */
  status: number | null;
  error: string | null;
}

export interface PushRecord {
  /** 1, 2, … in the order the events were emitted. */
  sequence: number;
  notification: NotificationJson;
  /** The callback it is sent to (fixed at emission, like Kill Bill's retry queue entries). */
  url: string | null;
  attempts: PushAttempt[];
  outcome: PushOutcome;
}

export interface PushNotifierOptions {
  retryDelaysMs: number[];
  timeoutMs: number;
  callbackUrl: () => string | null;
  log: (line: string) => void;
}

interface PostResult {
  status: number | null;
  error: string | null;
}

/** One POST of `body`; resolves (never rejects) with the status or the error. */
type TrackRequest = (request: http.ClientRequest) => () => void;

function postNotification(url: string, body: string, timeoutMs: number, track: TrackRequest): Promise<PostResult> {
  return new Promise((resolve) => {
    const transport = url.startsWith("https:") ? https : http;
    const headers = {
      "User-Agent": "KillBill/1.0",
      "Content-Type": "application/json; charset=UTF-8",
      "Content-Length": Buffer.byteLength(body),
    };
    let request: http.ClientRequest;
    try {
      request = transport.request(url, { method: "POST", headers, agent: false });
    } catch (error) {
      resolve({ status: null, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const untrack = track(request);
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const finish = (result: PostResult) => {
      clearTimeout(timer);
      untrack();
      resolve(result);
    };
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => finish({ status: response.statusCode ?? null, error: null }));
      response.on("error", (error) => finish({ status: null, error: error.message }));
    });
    request.on("error", (error) => finish({ status: null, error: error.message }));
    request.end(body);
  });
}

const isSuccess = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

export class PushNotifier {
  private readonly records: PushRecord[] = [];
  private readonly queue: PushRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<http.ClientRequest>();
  private readonly idleWaiters: (() => void)[] = [];
  private draining = false;
  private retrying = 0;
  private generation = 0;
  private closed = false;

  constructor(private readonly options: PushNotifierOptions) {}

  /** Every notification emitted so far, with its attempts and outcome. */
  get notifications(): readonly PushRecord[] {
    return this.records;
  }

  /** Records the event and queues its delivery, which starts after the current call returns. */
  push(notification: NotificationJson): PushRecord {
    const url = this.options.callbackUrl();
    const record: PushRecord = { sequence: this.records.length + 1, notification, url, attempts: [], outcome: url ? "pending" : "no callback" };
    this.records.push(record);
    if (!url || this.closed) return record;
    this.queue.push(record);
    if (!this.draining) {
      this.draining = true;
      const generation = this.generation;
      setImmediate(() => void this.drain(generation));
    }
    return record;
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets every record and stops pending deliveries (the notifier stays usable). */
  reset(): void {
    this.stopAll();
    this.records.length = 0;
  }

  close(): void {
    this.closed = true;
    this.stopAll();
  }

  private stopAll(): void {
    this.generation += 1;
    this.queue.length = 0;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.requests) request.destroy(new Error("stand-in stopped"));
    this.requests.clear();
    this.draining = false;
    this.retrying = 0;
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && !this.draining && this.retrying === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async drain(generation: number): Promise<void> {
    while (generation === this.generation) {
      const record = this.queue.shift();
      if (!record) break;
      await this.attempt(record, generation);
    }
    if (generation === this.generation) this.draining = false;
    this.notifyIdle();
  }

  private async attempt(record: PushRecord, generation: number): Promise<void> {
    if (!record.url) return;
    const body = JSON.stringify(record.notification);
    const result = await postNotification(record.url, body, this.options.timeoutMs, (request) => {
      this.requests.add(request);
      return () => this.requests.delete(request);
    });
    if (generation !== this.generation) return;
    record.attempts.push({ at: new Date().toISOString(), status: result.status, error: result.error });
    this.settle(record, result, generation);
  }

  private settle(record: PushRecord, result: PostResult, generation: number): void {
    const { eventType, objectId } = record.notification;
    const attempt = record.attempts.length;
    const answer = result.status === null ? result.error : `HTTP ${result.status}`;
    if (isSuccess(result.status)) {
      record.outcome = "delivered";
      this.options.log(`push ${eventType} ${objectId ?? "-"}: delivered (attempt ${attempt}, ${answer})`);
      return;
    }
    const delay = this.options.retryDelaysMs[attempt - 1];
    if (delay === undefined) {
      record.outcome = "dropped";
      this.options.log(`push ${eventType} ${objectId ?? "-"}: ${answer}; Max attempt number reached for push notification: dropped`);
      return;
    }
    this.options.log(`push ${eventType} ${objectId ?? "-"}: ${answer} (attempt ${attempt}); retry in ${delay} ms`);
    this.scheduleRetry(record, delay, generation);
  }

  private scheduleRetry(record: PushRecord, delay: number, generation: number): void {
    this.retrying += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(record, generation).finally(() => {
        if (generation !== this.generation) return;
        this.retrying -= 1;
        this.notifyIdle();
      });
    }, delay);
    this.timers.add(timer);
  }
}
