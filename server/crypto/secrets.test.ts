import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, generatePassword } from "./secrets";

const KEY = "11".repeat(32);
const OTHER_KEY = "22".repeat(32);

describe("secrets", () => {
  it("round-trips and never stores the plaintext", () => {
    const sealed = encryptSecret("s3cret-password", KEY);
    expect(sealed).not.toContain("s3cret");
    expect(decryptSecret(sealed, KEY)).toBe("s3cret-password");
  });

  it("uses a fresh IV each time", () => {
    expect(encryptSecret("same", KEY)).not.toBe(encryptSecret("same", KEY));
  });

  it("refuses a wrong key or a tampered value", () => {
    const sealed = encryptSecret("value", KEY);
    expect(() => decryptSecret(sealed, OTHER_KEY)).toThrow();
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => decryptSecret(parts.join("."), KEY)).toThrow();
    expect(() => decryptSecret("plain-text", KEY)).toThrow("not an encrypted secret");
  });

  it("generates long random passwords", () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(generatePassword()).not.toBe(a);
  });
});
