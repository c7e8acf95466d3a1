/**
 * Defence in depth against cross-site request forgery: a state-changing request must come from
 * a page of this app. Session cookies are SameSite=Lax, but "same site" includes every sibling
 * subdomain (customers' Odoo instances under BASE_DOMAIN run code their owners install), and
 * next-auth's CSRF token covers only its own POSTs, not tRPC's.
 */

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Server-to-server callbacks (Kill Bill, Paynow): they send no Origin and prove themselves otherwise. */
const EXEMPT_PREFIX = "/api/webhooks/";

export type TSameOriginInput = {
  method: string;
  pathname: string;
  origin: string | null;
  referer: string | null;
  /** Host the request was sent to: X-Forwarded-Host from a trusted proxy, else Host. */
  host: string | null;
  /** "https" when a trusted proxy says so, else the socket's scheme (http). */
  protocol: string;
  appUrl: string;
};

const originOf = (value: string): string | undefined => {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
};

/**
 * Why the request is refused, or undefined when it may go on. Every state-changing request
 * except webhooks is checked (a superset of /api/trpc and /api/auth, so no path spelling slips
 * past). Its Origin, or without one its Referer, must be APP_URL's origin or the origin the
 * request was sent to. A request with neither header passes: browsers send Origin with every
 * POST/PUT/PATCH/DELETE, so only non-browser clients (curl, scripts, tests) lack both, and they
 * carry no victim's cookies.
 */
export function crossOriginRefusal(input: TSameOriginInput): string | undefined {
  if (!STATE_CHANGING.has(input.method.toUpperCase())) return undefined;
  if (input.pathname.startsWith(EXEMPT_PREFIX)) return undefined;
  const claimed = input.origin ?? input.referer;
  if (claimed === null) return undefined;
  const appOrigin = new URL(input.appUrl).origin;
  const allowed = new Set([appOrigin]);
  const own = input.host ? originOf(`${input.protocol}://${input.host.split(",")[0]!.trim()}`) : undefined;
  if (own) allowed.add(own);
  const source = originOf(claimed);
  if (source && allowed.has(source)) return undefined;
  const header = input.origin !== null ? "Origin" : "Referer";
  return `Cross-origin request refused: its ${header} is not ${appOrigin}. State-changing requests must come from this app's own pages.`;
}
