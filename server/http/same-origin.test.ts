import { describe, expect, it } from "vitest";
import { crossOriginRefusal, type TSameOriginInput } from "./same-origin";

const base: TSameOriginInput = {
  method: "POST",
  pathname: "/api/trpc/auth.logOutEverywhere",
  origin: null,
  referer: null,
  host: "cloud.example.com",
  protocol: "http",
  appUrl: "https://cloud.example.com",
};
const check = (changes: Partial<TSameOriginInput>) => crossOriginRefusal({ ...base, ...changes });

describe("crossOriginRefusal", () => {
  it("lets APP_URL's origin through, default port or not", () => {
    expect(check({ origin: "https://cloud.example.com" })).toBeUndefined();
    expect(check({ origin: "https://cloud.example.com:443" })).toBeUndefined();
    expect(check({ origin: "https://CLOUD.example.com" })).toBeUndefined();
  });

  it("lets the origin the request was sent to through (another name or port of the same server)", () => {
    expect(check({ origin: "http://127.0.0.1:3100", host: "127.0.0.1:3100", appUrl: "http://localhost:3100" })).toBeUndefined();
    expect(check({ origin: "https://alt.example.com", host: "alt.example.com", protocol: "https" })).toBeUndefined();
  });

  it("refuses other origins, naming the header and the app's origin", () => {
    expect(check({ origin: "http://evil.example" })).toBe(
      "Cross-origin request refused: its Origin is not https://cloud.example.com. State-changing requests must come from this app's own pages.",
    );
    // A sibling subdomain is same-site for cookies, not same-origin.
    expect(check({ origin: "https://shop.cloud.example.com" })).toMatch(/^Cross-origin request refused/);
    // Same host, other scheme or port.
    expect(check({ origin: "http://cloud.example.com:8080" })).toMatch(/^Cross-origin request refused/);
    expect(check({ origin: "https://cloud.example.com", appUrl: "http://localhost:3000", host: "cloud.example.com", protocol: "http" })).toMatch(
      /^Cross-origin/,
    );
  });

  it("refuses Origin: null (sandboxed frames, data: URLs) and unparsable values", () => {
    expect(check({ origin: "null" })).toMatch(/^Cross-origin request refused: its Origin/);
    expect(check({ origin: "not a url" })).toMatch(/^Cross-origin request refused: its Origin/);
  });

  it("falls back to the Referer's origin when there is no Origin", () => {
    expect(check({ referer: "https://cloud.example.com/dashboard?x=1" })).toBeUndefined();
    expect(check({ referer: "http://evil.example/attack.html" })).toMatch(/^Cross-origin request refused: its Referer/);
    // Origin wins over Referer.
    expect(check({ origin: "http://evil.example", referer: "https://cloud.example.com/" })).toMatch(/its Origin/);
  });

  it("lets a request with neither header through (a non-browser client)", () => {
    expect(check({})).toBeUndefined();
  });

  it("checks every state-changing method, none of the safe ones", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "delete"]) expect(check({ method, origin: "http://evil.example" }), method).toBeDefined();
    for (const method of ["GET", "HEAD", "OPTIONS"]) expect(check({ method, origin: "http://evil.example" }), method).toBeUndefined();
  });

  it("checks /api/auth and every other path, but not the server-to-server webhooks", () => {
    for (const pathname of ["/api/auth/signout", "/api/auth/callback/credentials", "/api/trpc", "/api//trpc/x", "/api/%74rpc/x", "/dashboard"]) {
      expect(check({ pathname, origin: "http://evil.example" }), pathname).toBeDefined();
    }
    for (const pathname of ["/api/webhooks/paynow", "/api/webhooks/killbill/secret"]) {
      expect(check({ pathname, origin: "http://evil.example" }), pathname).toBeUndefined();
    }
  });
});
