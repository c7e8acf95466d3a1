import { createHash } from "node:crypto";
import { redis } from "../redis";

/**
 * Brute-force protection, counted in Redis: 5 failed logins for one email, or 20 from one IP,
 * within 15 minutes lock further attempts until the window ends. A success clears the email count.
 */
export const LOGIN_LIMITS = { perEmail: 5, perIp: 20, windowMs: 15 * 60 * 1000 } as const;

const emailKey = (email: string) =>
  `saas:login-fail:email:${createHash("sha256").update(email).digest("hex")}`;
const ipKey = (ip: string) => `saas:login-fail:ip:${ip}`;

/** Milliseconds until attempts are allowed again, or 0 when they are allowed now. */
export async function loginLockedFor(email: string, ip: string | undefined): Promise<number> {
  const keys = [emailKey(email), ...(ip ? [ipKey(ip)] : [])];
  const results = await redis()
    .multi(keys.flatMap((key) => [["get", key], ["pttl", key]]))
    .exec();
  if (!results) throw new Error("Redis transaction was aborted");
  const values = results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
  const limits = [LOGIN_LIMITS.perEmail, LOGIN_LIMITS.perIp];
  let lockedFor = 0;
  keys.forEach((_, i) => {
    const count = Number(values[i * 2] ?? 0);
    const ttl = Number(values[i * 2 + 1] ?? 0);
    if (count >= limits[i]! && ttl > 0) lockedFor = Math.max(lockedFor, ttl);
  });
  return lockedFor;
}

export async function recordLoginFailure(email: string, ip: string | undefined): Promise<void> {
  const pipeline = redis().multi();
  for (const key of [emailKey(email), ...(ip ? [ipKey(ip)] : [])]) {
    pipeline.incr(key);
    // The window starts at the first failure and is not extended by later ones.
    pipeline.pexpire(key, LOGIN_LIMITS.windowMs, "NX");
  }
  await pipeline.exec();
}

export async function clearLoginFailures(email: string): Promise<void> {
  await redis().del(emailKey(email));
}
