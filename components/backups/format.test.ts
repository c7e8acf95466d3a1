import { describe, expect, it } from "vitest";
import { describeMissingCopies, formatBytes } from "./format";

describe("formatBytes", () => {
  it("keeps small sizes exact and scales the rest", () => {
    expect(formatBytes(null)).toBe("—");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50 MB");
    expect(formatBytes(3.25 * 1024 ** 3)).toBe("3.3 GB");
  });
});

describe("describeMissingCopies", () => {
  it("names each copy that is not stored and why", () => {
    const storedAt = new Date();
    expect(
      describeMissingCopies([
        { storage: "local", status: "STORED", error: null, storedAt },
        { storage: "s3", status: "FAILED", error: "access denied", storedAt: null },
        { storage: "s3-eu", status: "PENDING", error: null, storedAt: null },
      ]),
    ).toBe("s3 failed (access denied); s3-eu still uploading");
  });
});
