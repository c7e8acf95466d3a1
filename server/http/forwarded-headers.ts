import type { IncomingHttpHeaders } from "node:http";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import { resolveClientAddress, type TrustedProxies } from "./client-address";

/** Headers a proxy writes about the original request; believed only from a trusted proxy. */
const FORWARDED_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/**
 * Rewrites an incoming request's headers before Next sees them: drops any client-sent copy of
 * CLIENT_IP_HEADER and sets it to the resolved client address; from a peer that is not a trusted
 * proxy, drops the X-Forwarded-* headers too (Next then fills them in from the socket), so
 * nothing downstream (next-auth's URLs, HSTS, the same-origin check) believes a client's claim.
 */
export function rewriteForwardedHeaders(
  headers: IncomingHttpHeaders,
  remoteAddress: string | undefined,
  isTrusted: TrustedProxies,
): void {
  const { address, peerTrusted } = resolveClientAddress({ remoteAddress, forwardedFor: headers["x-forwarded-for"], isTrusted });
  delete headers[CLIENT_IP_HEADER];
  if (!peerTrusted) for (const name of FORWARDED_HEADERS) delete headers[name];
  if (address) headers[CLIENT_IP_HEADER] = address;
}
