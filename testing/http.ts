import { encode } from "next-auth/jwt";
import superjson from "superjson";
import { createSession } from "@/server/auth/sessions";
import { env } from "@/server/env";

/**
 * Requests to the real route handlers (app/api/**), as a browser would send them: a session
 * cookie next-auth would have set for a real session row, tRPC's URL and body encoding.
 */

const BASE = "http://localhost:3000";

/** Headers carrying a live session of the user (the next-auth JWT cookie holding the session id). */
export async function sessionHeaders(userId: string): Promise<Headers> {
  const secure = env().APP_URL.startsWith("https:");
  const name = secure ? "__Secure-authjs.session-token" : "authjs.session-token";
  const sid = await createSession(userId);
  const jwt = await encode({ token: { sid, sub: userId }, secret: env().AUTH_SECRET, salt: name });
  return new Headers({ cookie: `${name}=${jwt}` });
}

export type TrpcErrorBody = {
  error?: {
    json?: { message?: string; data?: { code?: string; httpStatus?: number; fieldErrors?: Record<string, string[]> | null; appCode?: string | null } };
  };
};

/** A tRPC query (GET, input in the URL) or mutation (POST, JSON body), not batched. */
export function trpcRequest(type: "query" | "mutation", path: string, input: unknown, headers = new Headers()): Request {
  const encoded = JSON.stringify(superjson.serialize(input));
  if (type === "query") {
    return new Request(`${BASE}/api/trpc/${path}?input=${encodeURIComponent(encoded)}`, { method: "GET", headers });
  }
  const withType = new Headers(headers);
  withType.set("content-type", "application/json");
  return new Request(`${BASE}/api/trpc/${path}`, { method: "POST", headers: withType, body: encoded });
}

export const url = (path: string) => `${BASE}${path}`;
