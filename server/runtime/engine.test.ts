import { describe, expect, it } from "vitest";
import { dockerOptions } from ".";

describe("dockerOptions", () => {
  it("uses the socket path of a unix:// host", () => {
    expect(dockerOptions("unix:///run/odoo-saas/podman.sock")).toEqual({
      socketPath: "/run/odoo-saas/podman.sock",
    });
  });

  it("maps tcp:// to http with the default port", () => {
    expect(dockerOptions("tcp://10.0.0.5")).toEqual({ protocol: "http", host: "10.0.0.5", port: 2375 });
    expect(dockerOptions("tcp://10.0.0.5:2377")).toMatchObject({ port: 2377 });
  });

  it("keeps https for TLS endpoints", () => {
    expect(dockerOptions("https://engine.internal")).toEqual({
      protocol: "https",
      host: "engine.internal",
      port: 2376,
    });
  });
});
