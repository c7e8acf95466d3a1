import { describe, expect, it } from "vitest";
import { addDays, addMonths, isoDate } from "./dates";

describe("billing dates", () => {
  it("adds months on the same day, clamped to the end of shorter months", () => {
    expect(isoDate(addMonths(new Date("2026-01-15T10:00:00Z"), 1))).toBe("2026-02-15");
    expect(isoDate(addMonths(new Date("2026-01-31T10:00:00Z"), 1))).toBe("2026-02-28");
    expect(isoDate(addMonths(new Date("2028-01-31T10:00:00Z"), 1))).toBe("2028-02-29");
    expect(isoDate(addMonths(new Date("2026-12-31T10:00:00Z"), 1))).toBe("2027-01-31");
  });

  it("adds days", () => {
    expect(isoDate(addDays(new Date("2026-11-29T00:00:00Z"), 14))).toBe("2026-12-13");
  });
});
