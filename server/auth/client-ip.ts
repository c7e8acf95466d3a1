/**
 * Request header carrying the client's address. Only the web server (server/http/web-server.ts)
 * writes it: it drops any copy a client sent and sets it from the socket, believing
 * X-Forwarded-For only from TRUSTED_PROXIES. Nothing else about the request is trusted for this.
 */
export const CLIENT_IP_HEADER = "x-saas-client-ip";

/** The client address the web server determined, or undefined (e.g. under `next dev`). */
export function clientIp(headers: Headers): string | undefined {
  const ip = headers.get(CLIENT_IP_HEADER)?.trim();
  return ip && /^[0-9a-f:.]{2,45}$/.test(ip) ? ip : undefined;
}
