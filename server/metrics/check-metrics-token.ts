import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "../env";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Whether an Authorization header carries `Bearer <METRICS_TOKEN>`. Both sides are hashed
 * first so the comparison takes the same time whatever the length or content of the guess.
 */
export function checkMetricsToken(authorization: string | null | undefined, token = env().METRICS_TOKEN): boolean {
  if (!authorization || token.length === 0) return false;
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!match?.[1]) return false;
  return timingSafeEqual(digest(match[1]), digest(token));
}
