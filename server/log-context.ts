import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What the current piece of work is — an HTTP request or a job — so that every log line written
 * while doing it carries its id, including lines from domain code that knows nothing of either.
 */
export type LogContext = { requestId?: string; jobId?: string; job?: string; queue?: string };

export const logContext = new AsyncLocalStorage<LogContext>();

export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...context }, fn);
}
