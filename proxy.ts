import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/server/env";
import { crossOriginRefusal } from "@/server/http/same-origin";
import { createNonce, securityHeaders } from "@/server/http/security-headers";

/**
 * Runs (Node runtime) before every page and API route: refuses cross-origin state-changing
 * requests with 403, and gives every response its security headers with a fresh CSP nonce,
 * which Next reads from the request's CSP header and puts on its own scripts.
 * X-Forwarded-Proto/-Host reach this point only from a trusted proxy (server/http/web-server.ts
 * drops them otherwise).
 */
export function proxy(request: NextRequest): NextResponse {
  const { APP_URL: appUrl, NODE_ENV } = env();
  const forwardedProto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  const https = appUrl.startsWith("https:") || forwardedProto === "https";
  const refusal = crossOriginRefusal({
    method: request.method,
    pathname: request.nextUrl.pathname,
    origin: request.headers.get("origin"),
    referer: request.headers.get("referer"),
    host: request.headers.get("x-forwarded-host") ?? request.headers.get("host"),
    protocol: forwardedProto === "https" ? "https" : "http",
    appUrl,
  });
  const headers = securityHeaders(createNonce(), { https, development: NODE_ENV === "development" });
  let response: NextResponse;
  if (refusal) {
    response = NextResponse.json({ error: refusal }, { status: 403, headers: { "Cache-Control": "no-store" } });
  } else {
    const forwarded = new Headers(request.headers);
    forwarded.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
    response = NextResponse.next({ request: { headers: forwarded } });
  }
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but Next's hashed build files and image optimizer (next.config.js gives those
  // the static headers).
  matcher: ["/((?!_next/static/|_next/image).*)"],
};
