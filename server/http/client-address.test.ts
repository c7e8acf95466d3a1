import { describe, expect, it } from "vitest";
import { normalizeAddress, parseTrustedProxies, resolveClientAddress, trustedProxies } from "./client-address";

const trusting = (list: string) => trustedProxies(parseTrustedProxies(list));
const resolve = (remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, list = "") =>
  resolveClientAddress({ remoteAddress, forwardedFor, isTrusted: trusting(list) });

describe("normalizeAddress", () => {
  it("keeps plain addresses and writes IPv6 in its compressed lower-case form", () => {
    expect(normalizeAddress(" 203.0.113.9 ")).toBe("203.0.113.9");
    expect(normalizeAddress("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(normalizeAddress("0:0:0:0:0:0:0:1")).toBe("::1");
  });

  it("turns ::ffff: mapped IPv4 (dotted or hexadecimal) into IPv4", () => {
    expect(normalizeAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeAddress("::FFFF:7f00:1")).toBe("127.0.0.1");
    expect(normalizeAddress("[::ffff:10.1.2.3]:443")).toBe("10.1.2.3");
  });

  it("drops ports, brackets and zone ids", () => {
    expect(normalizeAddress("198.51.100.4:61234")).toBe("198.51.100.4");
    expect(normalizeAddress("[2001:db8::5]:8080")).toBe("2001:db8::5");
    expect(normalizeAddress("[2001:db8::5]")).toBe("2001:db8::5");
    expect(normalizeAddress("fe80::1%eth0")).toBe("fe80::1");
  });

  it("refuses what is not an IP address", () => {
    for (const bad of ["", "unknown", "proxy.internal", "1.2.3", "1.2.3.4.5", "999.1.1.1", "1.2.3.4; DROP", "_hidden", "::g"]) {
      expect(normalizeAddress(bad), bad).toBeUndefined();
    }
  });
});

describe("parseTrustedProxies / trustedProxies", () => {
  it("matches single addresses and CIDR ranges of both families", () => {
    const isTrusted = trusting("127.0.0.1, 10.0.0.0/8, fd00::/8, ::1");
    expect(isTrusted("127.0.0.1")).toBe(true);
    expect(isTrusted("127.0.0.2")).toBe(false);
    expect(isTrusted("10.255.0.1")).toBe(true);
    expect(isTrusted("11.0.0.1")).toBe(false);
    expect(isTrusted("fd12:3456::1")).toBe(true);
    expect(isTrusted("fe80::1")).toBe(false);
    expect(isTrusted("::1")).toBe(true);
    expect(isTrusted("not-an-ip")).toBe(false);
  });

  it("normalizes entries (mapped IPv4, full-length prefixes)", () => {
    expect(parseTrustedProxies("::ffff:192.0.2.1 192.0.2.0/32 2001:db8::/128")).toEqual(["192.0.2.1", "192.0.2.0", "2001:db8::"]);
  });

  it("trusts nobody when empty", () => {
    expect(parseTrustedProxies(" , ")).toEqual([]);
    expect(trusting("")("127.0.0.1")).toBe(false);
  });

  it("rejects host names, bad prefixes and junk, naming the entry", () => {
    for (const bad of ["localhost", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/8/8", "10.0.0.0/x", "*"]) {
      expect(() => parseTrustedProxies(bad), bad).toThrow(`bad entry "${bad}"`);
    }
  });
});

describe("resolveClientAddress", () => {
  it("with no trusted proxy, the socket address is the client and X-Forwarded-For is ignored", () => {
    expect(resolve("127.0.0.1", "198.51.100.7")).toEqual({ address: "127.0.0.1", peerTrusted: false });
    expect(resolve("::ffff:203.0.113.4", "1.1.1.1, 2.2.2.2")).toEqual({ address: "203.0.113.4", peerTrusted: false });
    expect(resolve("::1", undefined)).toEqual({ address: "::1", peerTrusted: false });
  });

  it("ignores X-Forwarded-For from a peer that is not trusted even when proxies are configured", () => {
    expect(resolve("203.0.113.50", "10.0.0.1", "10.0.0.0/8")).toEqual({ address: "203.0.113.50", peerTrusted: false });
  });

  it("behind a trusted proxy, takes the hop that proxy appended, whatever the client wrote before it", () => {
    expect(resolve("127.0.0.1", "198.51.100.7", "127.0.0.1")).toEqual({ address: "198.51.100.7", peerTrusted: true });
    // The client sent "6.6.6.6, 7.7.7.7"; the proxy appended the real address.
    expect(resolve("::ffff:127.0.0.1", "6.6.6.6, 7.7.7.7, 198.51.100.7", "127.0.0.1").address).toBe("198.51.100.7");
  });

  it("walks right to left past every trusted proxy of a chain", () => {
    const chain = "6.6.6.6, 198.51.100.7, 10.0.0.3, 10.0.0.2";
    expect(resolve("10.0.0.1", chain, "10.0.0.0/8").address).toBe("198.51.100.7");
    expect(resolve("fd00::1", "2001:db8::99, fd00::2", "fd00::/8").address).toBe("2001:db8::99");
  });

  it("joins repeated X-Forwarded-For headers in order", () => {
    expect(resolve("127.0.0.1", ["6.6.6.6", "198.51.100.7"], "127.0.0.1").address).toBe("198.51.100.7");
  });

  it("stops at a hop that is not an address, keeping the last one a trusted proxy named", () => {
    expect(resolve("10.0.0.1", "198.51.100.7, garbage, 10.0.0.5", "10.0.0.0/8").address).toBe("10.0.0.5");
    expect(resolve("10.0.0.1", "garbage", "10.0.0.0/8").address).toBe("10.0.0.1");
  });

  it("is the trusted peer itself when there is no X-Forwarded-For or every hop is trusted", () => {
    expect(resolve("127.0.0.1", undefined, "127.0.0.1").address).toBe("127.0.0.1");
    expect(resolve("127.0.0.1", "", "127.0.0.1").address).toBe("127.0.0.1");
    expect(resolve("10.0.0.1", "10.0.0.9, 10.0.0.2", "10.0.0.0/8").address).toBe("10.0.0.9");
  });

  it("has no address when the socket has none", () => {
    expect(resolve(undefined, "198.51.100.7", "127.0.0.1")).toEqual({ address: undefined, peerTrusted: false });
  });
});
