import { describe, expect, it } from "vitest";
import { addDuration, addMonths, localDate } from "./dates.ts";

describe("stand-in dates", () => {
  it("adds months on the same day, clamped to the end of shorter months", () => {
    expect(addMonths(new Date("2025-01-31T10:00:00Z"), 1).toISOString()).toBe("2025-02-28T10:00:00.000Z");
    expect(addMonths(new Date("2024-01-31T10:00:00Z"), 1).toISOString()).toBe("2024-02-29T10:00:00.000Z");
    expect(addMonths(new Date("2025-01-31T10:00:00Z"), 2).toISOString()).toBe("2025-03-31T10:00:00.000Z");
    expect(addMonths(new Date("2025-11-15T00:00:00Z"), 3).toISOString()).toBe("2026-02-15T00:00:00.000Z");
  });

  it("ends a DAYS phase that many days later and never ends an UNLIMITED one", () => {
    const start = new Date("2025-03-01T12:00:00Z");
    expect(localDate(addDuration(start, { unit: "DAYS", number: 14 }) ?? start)).toBe("2025-03-15");
    expect(addDuration(start, { unit: "UNLIMITED", number: -1 })).toBeNull();
  });
});
