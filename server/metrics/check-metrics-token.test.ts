import { describe, expect, it } from "vitest";
import { checkMetricsToken } from "./check-metrics-token";

const TOKEN = "metrics-token-0123456789abcdef";

describe("checkMetricsToken", () => {
  it("accepts the bearer token", () => {
    expect(checkMetricsToken(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it("accepts the scheme in any case (RFC 6750) and trailing spaces", () => {
    expect(checkMetricsToken(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(checkMetricsToken(`BEARER  ${TOKEN} `, TOKEN)).toBe(true);
  });

  it.each([
    ["no header", undefined],
    ["null", null],
    ["empty", ""],
    ["the scheme alone", "Bearer"],
    ["the scheme and a space", "Bearer "],
    ["the token without the scheme", TOKEN],
    ["another scheme", `Basic ${TOKEN}`],
    ["a wrong token", "Bearer metrics-token-0123456789abcdeX"],
    ["a prefix of the token", `Bearer ${TOKEN.slice(0, -1)}`],
    ["the token with a suffix", `Bearer ${TOKEN}x`],
    ["the token and more words", `Bearer ${TOKEN} ${TOKEN}`],
    ["the token in another case", `Bearer ${TOKEN.toUpperCase()}`],
  ])("rejects %s", (_label, header) => {
    expect(checkMetricsToken(header, TOKEN)).toBe(false);
  });

  it("rejects everything when the configured token is empty", () => {
    expect(checkMetricsToken("Bearer ", "")).toBe(false);
    expect(checkMetricsToken("Bearer x", "")).toBe(false);
  });

  it("reads METRICS_TOKEN from the environment by default", () => {
    const configured = process.env.METRICS_TOKEN;
    expect(configured).toBeTruthy();
    expect(checkMetricsToken(`Bearer ${configured}`)).toBe(true);
    expect(checkMetricsToken(`Bearer ${configured}-wrong`)).toBe(false);
  });
});
