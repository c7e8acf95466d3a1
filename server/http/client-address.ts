import { BlockList, isIP } from "node:net";

/**
 * Where a request came from. The socket peer is the client unless it is one of TRUSTED_PROXIES;
 * then X-Forwarded-For is walked from the right (the hop the nearest proxy appended) past every
 * trusted proxy, and the first address that is not one is the client. Anything left of it was
 * written by the client and is ignored, so rotating X-Forwarded-For changes nothing.
 */

/** One bare IP address: ports, brackets and zone ids removed, IPv6 compressed, `::ffff:` mapped IPv4 as IPv4. */
export function normalizeAddress(raw: string): string | undefined {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  value = value.replace(/%.*$/, "").toLowerCase();
  const family = isIP(value);
  if (family === 4) return value;
  if (family !== 6) return undefined;
  // The URL parser writes IPv6 in its one canonical (compressed, hexadecimal) form.
  const canonical = new URL(`http://[${value}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const high = Number.parseInt(mapped[1]!, 16);
  const low = Number.parseInt(mapped[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/**
 * TRUSTED_PROXIES: IPv4 and IPv6 addresses and CIDR ranges, separated by commas or spaces
 * ("127.0.0.1, 10.0.0.0/8, fd00::/8"). Returns the normalized entries; throws naming a bad one.
 */
export function parseTrustedProxies(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const [address = "", prefix, extra] = entry.split("/");
      const ip = extra === undefined ? normalizeAddress(address) : undefined;
      const max = ip && isIP(ip) === 4 ? 32 : 128;
      const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
      if (!ip || bits < 0 || bits > max) {
        throw new Error(`has a bad entry "${entry.slice(0, 60)}": expected an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8`);
      }
      return bits === max ? ip : `${ip}/${bits}`;
    });
}

export type TrustedProxies = (address: string) => boolean;

/** A matcher over normalized entries of parseTrustedProxies (an empty list trusts nobody). */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [ip = "", prefix] = entry.split("/");
    const family = isIP(ip) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, Number(prefix), family);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}

export type ClientAddress = {
  /** The client's address, undefined only when the socket has none (it closed). */
  address: string | undefined;
  /** Whether the socket peer is a trusted proxy, so its X-Forwarded-* headers are believed. */
  peerTrusted: boolean;
};

export function resolveClientAddress(input: {
  remoteAddress: string | undefined;
  forwardedFor: string | readonly string[] | undefined;
  isTrusted: TrustedProxies;
}): ClientAddress {
  const peer = input.remoteAddress === undefined ? undefined : normalizeAddress(input.remoteAddress);
  if (!peer || !input.isTrusted(peer)) return { address: peer, peerTrusted: false };
  const forwarded = typeof input.forwardedFor === "string" ? input.forwardedFor : (input.forwardedFor ?? []).join(",");
  const hops = forwarded.split(",").map((hop) => hop.trim()).filter(Boolean);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]!);
    // A hop that is not an address ends the walk: the client is the last one a trusted proxy named.
    if (!hop) break;
    client = hop;
    if (!input.isTrusted(hop)) break;
  }
  return { address: client, peerTrusted: true };
}
