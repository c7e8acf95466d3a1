import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import { parseTrustedProxies, trustedProxies } from "./client-address";
import { rewriteForwardedHeaders } from "./forwarded-headers";

const spoofed = (): IncomingHttpHeaders => ({
  host: "cloud.example.com",
  "x-forwarded-for": "6.6.6.6, 198.51.100.7",
  "x-forwarded-proto": "https",
  "x-forwarded-host": "evil.example",
  "x-real-ip": "7.7.7.7",
  [CLIENT_IP_HEADER]: "8.8.8.8",
});

describe("rewriteForwardedHeaders", () => {
  it("from an untrusted peer: the socket address, and no forwarded header survives", () => {
    const headers = spoofed();
    rewriteForwardedHeaders(headers, "::ffff:203.0.113.4", trustedProxies([]));
    expect(headers).toEqual({ host: "cloud.example.com", [CLIENT_IP_HEADER]: "203.0.113.4" });
  });

  it("from a trusted proxy: the forwarded address; its X-Forwarded-* headers are kept", () => {
    const headers = spoofed();
    rewriteForwardedHeaders(headers, "127.0.0.1", trustedProxies(parseTrustedProxies("127.0.0.1")));
    expect(headers[CLIENT_IP_HEADER]).toBe("198.51.100.7");
    expect(headers["x-forwarded-proto"]).toBe("https");
    expect(headers["x-forwarded-for"]).toBe("6.6.6.6, 198.51.100.7");
  });

  it("never keeps a client-sent client-address header, even when it cannot set one", () => {
    const headers = spoofed();
    rewriteForwardedHeaders(headers, undefined, trustedProxies([]));
    expect(headers[CLIENT_IP_HEADER]).toBeUndefined();
  });
});
