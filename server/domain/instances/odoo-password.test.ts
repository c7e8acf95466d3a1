import { describe, expect, it } from "vitest";
import { ab64Decode, ab64Encode, hashOdooPassword, odooPasswordMatches, parseOdooHash } from "./odoo-password";

// passlib's documented examples (passlib.hash.pbkdf2_digest): pbkdf2_sha256.hash("password").
const PASSLIB_SHA256 = [
  "$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M",
  "$pbkdf2-sha256$8000$XAuBMIYQQogxRg$tRRlz8hYn63B9LYiCd6PRo6FMiunY9ozmMMI3srxeRE",
];

describe("Odoo (passlib) password hashes", () => {
  it("verifies passlib's own published hashes, and nothing else", async () => {
    for (const hash of PASSLIB_SHA256) {
      expect(await odooPasswordMatches("password", hash)).toBe(true);
      expect(await odooPasswordMatches("Password", hash)).toBe(false);
    }
  });

  it("writes $pbkdf2-sha512$600000$<16-byte salt>$<64-byte checksum> in adapted base64, and reads it back", async () => {
    const hash = await hashOdooPassword("S3cret-pass!");
    expect(hash).toMatch(/^\$pbkdf2-sha512\$600000\$[A-Za-z0-9./]{22}\$[A-Za-z0-9./]{86}$/);
    const parsed = parseOdooHash(hash)!;
    expect(parsed).toMatchObject({ scheme: "pbkdf2-sha512", rounds: 600_000 });
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.checksum).toHaveLength(64);
    expect(await odooPasswordMatches("S3cret-pass!", hash)).toBe(true);
    expect(await odooPasswordMatches("admin", hash)).toBe(false);
    // A fresh salt every time: the same password never gives the same hash.
    expect(await hashOdooPassword("S3cret-pass!", { rounds: 1000 })).not.toBe(await hashOdooPassword("S3cret-pass!", { rounds: 1000 }));
  });

  it("is deterministic for a given salt and rounds (what Odoo computes from the same inputs)", async () => {
    const salt = Buffer.from("0123456789abcdef");
    const a = await hashOdooPassword("admin", { rounds: 1000, salt });
    expect(a).toBe(await hashOdooPassword("admin", { rounds: 1000, salt }));
    expect(a.split("$")[3]).toBe(ab64Encode(salt));
  });

  it("accepts a plaintext stored value as Odoo 17 does, and refuses empty, unknown or malformed values", async () => {
    expect(await odooPasswordMatches("admin", "admin")).toBe(true);
    expect(await odooPasswordMatches("admin", "admin ")).toBe(false);
    expect(await odooPasswordMatches("", "")).toBe(false);
    expect(await odooPasswordMatches("admin", null)).toBe(false);
    expect(await odooPasswordMatches("$2b$12$x", "$2b$12$x")).toBe(false);
    expect(parseOdooHash("$pbkdf2-sha512$0$abc$def")).toBeNull();
    expect(parseOdooHash("$pbkdf2-sha512$1000$a$b$c")).toBeNull();
    expect(parseOdooHash("$pbkdf2-sha512$1000$abcd$tooShort")).toBeNull();
  });

  it("adapted base64 uses . for + and drops padding", () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf]);
    expect(bytes.toString("base64")).toBe("+/+/");
    expect(ab64Encode(bytes)).toBe("././");
    expect(ab64Decode("././").equals(bytes)).toBe(true);
    expect(Buffer.from([0xfb]).toString("base64")).toBe("+w==");
    expect(ab64Encode(Buffer.from([0xfb]))).toBe(".w");
    expect(ab64Decode(".w").equals(Buffer.from([0xfb]))).toBe(true);
  });
});
