import pino from "pino";
import { logContext } from "./log-context";

/**
 * Structured JSON logs. Any key that looks like a secret (password, secret, token, key, cookie,
 * authorization, connection string — any case, at any depth) is replaced before the line is
 * written; code must still never put a secret in a message string.
 */
const SECRET_KEY = /pass(word|wd)?|secret|token|api[-_]?key|authorization|cookie|connection[-_]?string|database[-_]?url|^key$|private/i;
const CENSOR = "[redacted]";
const MAX_DEPTH = 8;

export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== "object" || value instanceof Error || value instanceof Date) {
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => scrubSecrets(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
      key,
      SECRET_KEY.test(key) ? CENSOR : scrubSecrets(inner, depth + 1),
    ]),
  );
}

export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.SERVICE_NAME ?? "web" },
  // Request and job ids of the work under way (see log-context.ts) go on every line.
  mixin: () => ({ ...logContext.getStore() }),
  formatters: { log: (object) => scrubSecrets(object) as Record<string, unknown> },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;
