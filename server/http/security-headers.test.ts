import type { NextConfig } from "next";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, securityHeaders, STATIC_SECURITY_HEADERS } from "./security-headers";

const directives = (csp: string) => new Map(csp.split("; ").map((part) => [part.split(" ")[0]!, part.split(" ").slice(1)]));

describe("contentSecurityPolicy", () => {
  it("allows scripts only with the nonce, never inline or eval", () => {
    const policy = directives(contentSecurityPolicy("abc123", { https: false }));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    expect(policy.get("style-src")).toEqual(["'self'", "'nonce-abc123'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(false);
  });

  it("allows eval under next dev only", () => {
    expect(directives(contentSecurityPolicy("n", { https: false, development: true })).get("script-src")).toContain("'unsafe-eval'");
    expect(contentSecurityPolicy("n", { https: false, development: false })).not.toContain("unsafe-eval");
  });

  it("upgrades insecure requests over HTTPS only", () => {
    expect(directives(contentSecurityPolicy("n", { https: true })).has("upgrade-insecure-requests")).toBe(true);
  });
});

describe("createNonce", () => {
  it("is fresh base64 of 18 random bytes", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
  });
});

describe("securityHeaders", () => {
  it("sends HSTS over HTTPS only", () => {
    expect(securityHeaders("n", { https: false })).not.toHaveProperty("Strict-Transport-Security");
    expect(securityHeaders("n", { https: true })["Strict-Transport-Security"]).toBe("max-age=31536000");
  });

  it("has the static headers, which next.config.js gives static files too", async () => {
    const headers = securityHeaders("n", { https: false });
    expect(headers).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "strict-origin-when-cross-origin",
    });
    // next.config.js is plain JavaScript (no types): loaded by URL.
    const configUrl = new URL("../../next.config.js", import.meta.url).href;
    const { default: nextConfig } = (await import(configUrl)) as { default: NextConfig };
    const rules = await nextConfig.headers?.();
    expect(rules).toEqual([
      { source: "/:path*", headers: Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value })) },
    ]);
  });
});
