import { describe, expect, it } from "vitest";
import { findNul, nulFieldErrors, nulMessage } from "./find-nul";

describe("findNul", () => {
  it.each([
    ["a string input", "a\u0000b", { field: "input", inKey: false }],
    ["a top-level field", { name: "x\u0000" }, { field: "name", inKey: false }],
    ["a nested field", { envVars: { FOO: "\u0000" } }, { field: "envVars.FOO", inKey: false }],
    ["an array element", { customAddons: ["sale", "crm\u0000"] }, { field: "customAddons.1", inKey: false }],
    ["an object key", { envVars: { "FO\u0000O": "1" } }, { field: "envVars", inKey: true }],
    ["a top-level key", { "na\u0000me": "x" }, { field: "input", inKey: true }],
    ["a Map value", new Map([["k", "\u0000"]]), { field: "k", inKey: false }],
    ["a Set element", { tags: new Set(["a", "\u0000"]) }, { field: "tags.1", inKey: false }],
  ])("finds a NUL in %s", (_label, input, expected) => {
    expect(findNul(input)).toEqual(expected);
  });

  it.each([
    ["nothing", undefined],
    ["plain data", { name: "Ada", count: 3, ok: true, when: new Date(), tags: ["a"], nested: { deep: [null] } }],
    ["the two characters \\0", { name: "\\0 and \\u0000 as text" }],
  ])("finds none in %s", (_label, input) => {
    expect(findNul(input)).toBeNull();
  });

  it("walks a deeply nested input without overflowing the stack, and a cycle once", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNul(deep)?.inKey).toBe(false);
    const cyclic: Record<string, unknown> = { name: "ok" };
    cyclic.self = cyclic;
    expect(findNul(cyclic)).toBeNull();
  });

  it("names the root as asked, and words the field error", () => {
    const hit = findNul({ "a\u0000": 1 }, "body")!;
    expect(hit).toEqual({ field: "body", inKey: true });
    expect(nulFieldErrors({ field: "name", inKey: false })).toEqual({ name: ["must not contain a NUL character"] });
    expect(nulMessage({ field: "envVars", inKey: true })).toBe("envVars must not contain a NUL character in a name.");
  });
});
