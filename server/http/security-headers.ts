/**
 * Security headers of every page and API response (set by proxy.ts; next.config.js repeats the
 * static ones for files Proxy does not see). Pure: the caller says whether the request came over
 * HTTPS (APP_URL https, or X-Forwarded-Proto https from a trusted proxy).
 */

/** A fresh random nonce per response: Next reads it from the request's CSP header and puts it on its scripts. */
export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
}

/**
 * Scripts only with this response's nonce ('strict-dynamic' lets those load Next's chunks), no
 * eval; style sheets and <style> only from this origin or with the nonce; no plugins, no
 * framing. Inline style *attributes* (style={{ width }} rendered on the server) are allowed:
 * they cannot run script, and blocking them only breaks layouts such as progress bars.
 */
export type TSecurityOptions = {
  https: boolean;
  /** `next dev` only: React rebuilds server error stacks in the browser with eval. */
  development?: boolean;
};

export function contentSecurityPolicy(nonce: string, options: TSecurityOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** The same on every response, whatever the content. */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "strict-origin-when-cross-origin",
};

/**
 * One year. Not includeSubDomains: with ROUTING=ports customers reach Odoo over plain HTTP on
 * other ports of a host name that may share the app's domain.
 */
export const HSTS = "max-age=31536000";

export function securityHeaders(nonce: string, options: TSecurityOptions): Record<string, string> {
  return {
    ...STATIC_SECURITY_HEADERS,
    "Content-Security-Policy": contentSecurityPolicy(nonce, options),
    ...(options.https ? { "Strict-Transport-Security": HSTS } : {}),
  };
}
