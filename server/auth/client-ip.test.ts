import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER, clientIp } from "./client-ip";

describe("clientIp", () => {
  it("reads the address the web server set", () => {
    expect(clientIp(new Headers({ [CLIENT_IP_HEADER]: "198.51.100.7" }))).toBe("198.51.100.7");
    expect(clientIp(new Headers({ [CLIENT_IP_HEADER]: "2001:db8::1" }))).toBe("2001:db8::1");
  });

  it("never reads X-Forwarded-For or X-Real-IP, which any client can write", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.7", "x-real-ip": "198.51.100.8" }))).toBeUndefined();
  });

  it("refuses a value that is not an address", () => {
    expect(clientIp(new Headers({ [CLIENT_IP_HEADER]: "1.2.3.4, 5.6.7.8" }))).toBeUndefined();
    expect(clientIp(new Headers({ [CLIENT_IP_HEADER]: "<script>" }))).toBeUndefined();
  });
});
