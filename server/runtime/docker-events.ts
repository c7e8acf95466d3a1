// Following the Docker Engine API's event stream (GET /events): newline-delimited JSON over a
// long-lived HTTP response. Engines restart and connections drop, so the follower reconnects
// with backoff and asks for the events it missed (`since`), dropping the ones it already saw.
import { StringDecoder } from "node:string_decoder";
import { LABEL, type ContainerEvent, type WatchEventsOptions } from "./container-runtime";

/** Splits a byte stream into lines; chunks may end anywhere, even inside a UTF-8 character. */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private rest = "";

  push(chunk: Buffer | string): string[] {
    this.rest += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    const lines = this.rest.split("\n");
    this.rest = lines.pop() ?? "";
    return lines.map((line) => line.trim()).filter((line) => line.length > 0);
  }

  /** What is left when the stream ends (an engine may omit the last newline). */
  end(): string[] {
    const last = (this.rest + this.decoder.end()).trim();
    this.rest = "";
    return last ? [last] : [];
  }
}

/** One engine event message, as the Docker API (and podman's compatible API) sends it. */
export interface DockerEventMessage {
  Type?: string;
  Action?: string;
  /** Older API versions. */
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/**
 * The platform's view of an engine event, or null when it is not about a managed container.
 * Docker's "health_status: healthy" and "exec_start: …" become "health_status" / "exec_start";
 * podman's "remove" becomes "destroy" (Docker's word). The exit code is only read on die:
 * podman attaches a containerExitCode of 0 to every event.
 */
export function eventFromMessage(message: DockerEventMessage): ContainerEvent | null {
  if (message.Type !== undefined && message.Type !== "container") return null;
  const attributes = message.Actor?.Attributes ?? {};
  const instanceId = attributes[LABEL.instanceId];
  // The engine filters on the label already; checking again costs nothing.
  // One-shot task containers (database initialisation) are not the instance's container.
  if (attributes[LABEL.managed] !== "true" || !instanceId || attributes[LABEL.role] === "task") return null;
  const rawAction = (message.Action ?? message.status ?? "").split(":")[0]?.trim() ?? "";
  if (!rawAction) return null;
  const action = rawAction === "remove" ? "destroy" : rawAction;
  const event: ContainerEvent = {
    instanceId,
    containerId: message.Actor?.ID ?? message.id ?? "",
    containerName: attributes.name ?? null,
    action,
    time: eventTime(message),
  };
  if (action === "die") {
    const code = Number(attributes.exitCode ?? attributes.containerExitCode);
    if (Number.isInteger(code)) event.exitCode = code;
  }
  return event;
}

function eventTime(message: DockerEventMessage): Date {
  if (typeof message.timeNano === "number") return new Date(Math.floor(message.timeNano / 1e6));
  if (typeof message.time === "number") return new Date(message.time * 1000);
  return new Date();
}

function nanos(message: DockerEventMessage): number | undefined {
  if (typeof message.timeNano === "number") return message.timeNano;
  if (typeof message.time === "number") return message.time * 1e9;
  return undefined;
}

/** The part of a Node stream the follower needs (dockerode hands out an IncomingMessage). */
export type EventStream = NodeJS.ReadableStream & { destroy?: (error?: Error) => void };

/**
 * Opens the engine's event stream; `since` (unix seconds) asks for older events first. The
 * signal must cancel a connection attempt that hangs (an engine that accepts but never answers).
 */
export type OpenEventStream = (since: number | undefined, signal: AbortSignal) => Promise<EventStream>;

const STABLE_CONNECTION_MS = 5_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

const defaultOnError = (error: unknown) => console.error("container event stream:", error);

/**
 * Reads one connection until it ends, fails or the signal aborts. Resolves in every case: a
 * broken stream is reported through onError and answered by reconnecting, never by throwing.
 */
function consume(stream: EventStream, onLine: (line: string) => void, signal: AbortSignal, onError: (e: unknown) => void) {
  return new Promise<void>((resolve) => {
    const splitter = new LineSplitter();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      signal.removeEventListener("abort", abort);
      for (const line of splitter.end()) onLine(line);
      resolve();
    };
    const abort = () => {
      stream.destroy?.();
      finish();
    };
    stream.on("data", (chunk: Buffer | string) => {
      for (const line of splitter.push(chunk)) onLine(line);
    });
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", (error: unknown) => {
      if (!signal.aborted) onError(error); // an abort tears the request down on purpose
      finish();
    });
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
  });
}

/**
 * Follows the event stream until the signal aborts; resolves then. After a reconnect the engine
 * replays from the last second seen and events at or before the last one delivered are dropped,
 * so a short outage neither loses nor repeats events (where the engine keeps its history).
 */
export async function followEvents(
  open: OpenEventStream,
  onEvent: (event: ContainerEvent) => void,
  options: WatchEventsOptions,
): Promise<void> {
  const { signal } = options;
  const onError = options.onError ?? defaultOnError;
  const initialMs = options.backoff?.initialMs ?? 250;
  const maxMs = options.backoff?.maxMs ?? 10_000;
  let delay = initialMs;
  let connected = false;
  let lastNanos: number | undefined;

  while (!signal.aborted) {
    let stream: EventStream;
    try {
      stream = await open(lastNanos === undefined ? undefined : Math.floor(lastNanos / 1e9), signal);
    } catch (error) {
      if (signal.aborted) break;
      onError(error);
      await sleep(delay, signal);
      delay = Math.min(delay * 2, maxMs);
      continue;
    }
    if (signal.aborted) {
      stream.destroy?.();
      break;
    }
    const replayedUpTo = lastNanos;
    try {
      options.onConnect?.({ reconnect: connected });
    } catch (error) {
      onError(error);
    }
    connected = true;
    const openedAt = Date.now();

    await consume(
      stream,
      (line) => {
        let message: DockerEventMessage;
        try {
          message = JSON.parse(line) as DockerEventMessage;
        } catch {
          onError(new Error(`unparsable event line (${line.length} characters)`));
          return;
        }
        const at = nanos(message);
        if (at !== undefined && replayedUpTo !== undefined && at <= replayedUpTo) return;
        if (at !== undefined) lastNanos = Math.max(lastNanos ?? 0, at);
        const event = eventFromMessage(message);
        if (!event) return;
        try {
          onEvent(event);
        } catch (error) {
          onError(error);
        }
      },
      signal,
      onError,
    );
    if (signal.aborted) break;
    // A connection that lived a while was healthy: start the backoff over. One that ends at
    // once (engine still starting, proxy refusing) keeps doubling so we do not spin.
    if (Date.now() - openedAt >= STABLE_CONNECTION_MS) delay = initialMs;
    await sleep(delay, signal);
    delay = Math.min(delay * 2, maxMs);
  }
}
