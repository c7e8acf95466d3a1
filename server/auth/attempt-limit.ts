import { createHash } from "node:crypto";
import { AppError } from "../errors";
import { redis } from "../redis";

/**
 * Fixed-window attempt counters in Redis, for throttles that are not about logins
 * (login-throttle.ts keeps its own keys): at most `limit` attempts per subject (a user id, an
 * IP, "all") within `windowMs` of the first one. The attempt is counted before the work is
 * done, so concurrent requests cannot all slip under the limit together.
 */
export type AttemptRule = { name: string; limit: number; windowMs: number };

export type AttemptResult = { allowed: true } | { allowed: false; retryAfterMs: number };

const keyOf = (rule: AttemptRule, subject: string) =>
  `saas:attempts:${rule.name}:${createHash("sha256").update(subject).digest("hex")}`;

/** Counts one attempt; refused (with the time left in the window) once the limit is passed. */
export async function takeAttempt(rule: AttemptRule, subject: string): Promise<AttemptResult> {
  const key = keyOf(rule, subject);
  const results = await redis()
    .multi()
    .incr(key)
    // The window starts at the first attempt and is not extended by later ones.
    .pexpire(key, rule.windowMs, "NX")
    .pttl(key)
    .exec();
  if (!results) throw new Error("Redis transaction was aborted");
  const [count, , ttl] = results.map(([error, value]) => {
    if (error) throw error;
    return Number(value);
  });
  if (count! <= rule.limit) return { allowed: true };
  return { allowed: false, retryAfterMs: ttl! > 0 ? ttl! : rule.windowMs };
}

/** Forgets the subject's attempts (a success that proves it is not guessing). */
export async function clearAttempts(rule: AttemptRule, subject: string): Promise<void> {
  await redis().del(keyOf(rule, subject));
}

/** "Try again in 15 minutes." / "Try again in 40 seconds." */
export function retryIn(retryAfterMs: number): string {
  if (retryAfterMs < 60_000) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return `Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  }
  const minutes = Math.ceil(retryAfterMs / 60_000);
  return `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/**
 * The LIMIT_EXCEEDED (429) for a refused attempt: the message says when to come back, and
 * `retryAfterSeconds` carries it for clients (and the Retry-After header of /api/trpc). With
 * `field`, the form shows the message at that field too.
 */
export function tooManyAttempts(message: string, retryAfterMs: number, field?: string): AppError {
  const text = `${message} ${retryIn(retryAfterMs)}`;
  return new AppError("LIMIT_EXCEEDED", text, {
    ...(field ? { [field]: [text] } : {}),
    retryAfterSeconds: [String(Math.ceil(retryAfterMs / 1000))],
  });
}
