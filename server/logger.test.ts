import { describe, expect, it } from "vitest";
import { scrubSecrets } from "./logger";

describe("scrubSecrets", () => {
  it("redacts secret-looking keys at any depth and in any case", () => {
    expect(
      scrubSecrets({
        dbPassword: "a",
        managerPassword: "b",
        spec: { env: { PASSWORD: "c", HOST: "db" } },
        list: [{ apiKey: "d" }],
        AUTH_SECRET: "e",
        token: "f",
        instanceId: "keep",
      }),
    ).toEqual({
      dbPassword: "[redacted]",
      managerPassword: "[redacted]",
      spec: { env: { PASSWORD: "[redacted]", HOST: "db" } },
      list: [{ apiKey: "[redacted]" }],
      AUTH_SECRET: "[redacted]",
      token: "[redacted]",
      instanceId: "keep",
    });
  });

  it("leaves errors and plain values alone", () => {
    const error = new Error("boom");
    expect(scrubSecrets({ err: error, n: 1 })).toEqual({ err: error, n: 1 });
  });
});
