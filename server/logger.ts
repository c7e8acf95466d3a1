import pino from "pino";

/**
 * Structured JSON logs. Secrets are redacted by key wherever they appear in a logged object;
 * code must still never put a secret in a message string.
 */
export const REDACTED_KEYS = [
  "password",
  "passwordHash",
  "newPassword",
  "currentPassword",
  "token",
  "secret",
  "apiKey",
  "authorization",
  "cookie",
  "DATABASE_URL",
  "connectionString",
];

export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.SERVICE_NAME ?? "web" },
  redact: {
    paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((key) => `*.${key}`)],
    censor: "[redacted]",
  },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;
