import { describe, expect, it } from "vitest";
import {
  ab64Decode,
  ab64Encode,
  ADMIN_PASSWORD_HASH,
  checkPassword,
  DEMO_PASSWORD_HASH,
  hashPassword,
  ODOO_PBKDF2_ROUNDS,
  parsePbkdf2Sha512,
} from "./passwords.ts";

// passlib's own test vectors for pbkdf2_sha512 (passlib/tests/test_handlers_pbkdf2.py,
// pbkdf2_sha512_test.known_correct_hashes). UPASS_WAV is passlib's unicode test password.
const UPASS_WAV = "\u0399\u03c9\u03b1\u03bd\u03bd\u03b7\u03c2";
const PASSLIB_VECTORS: [string, string][] = [
  ["password", "$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww"],
  [UPASS_WAV, "$pbkdf2-sha512$1212$KkbvoKGsAIcF8IslDR6skQ$8be/PRmd88Ps8fmPowCJttH9G3vgxpG.Krjt3KT.NP6cKJ0V4Prarqf.HBwz0dCkJ6xgWnSj2ynXSV7MlvMa8Q"],
];

describe("pbkdf2-sha512 passwords (passlib's format, as Odoo 17 stores them)", () => {
  it("verifies passlib's published vectors and refuses other passwords", async () => {
    for (const [password, hash] of PASSLIB_VECTORS) {
      expect(await checkPassword(password, hash)).toBe("valid");
      expect(await checkPassword(`${password}x`, hash)).toBe("invalid");
    }
    expect(await checkPassword(UPASS_WAV, PASSLIB_VECTORS[0]![1])).toBe("invalid");
  });

  it("rejects malformed hashes like passlib (zero-padded or empty rounds, extra fields, bad alphabet, short checksum)", async () => {
    const good = PASSLIB_VECTORS[0]![1];
    expect(parsePbkdf2Sha512(good)).toMatchObject({ rounds: 1212 });
    for (const bad of [
      good.replace("$1212$", "$01212$"),
      good.replace("$1212$", "$$"),
      `${good}$`,
      good.replace("RHY0Fr3IDMSVO/RSZyb5ow", "RHY0Fr3IDMSVO+RSZyb5ow"),
      good.slice(0, -2),
      "$pbkdf2-sha512$",
    ]) {
      expect(parsePbkdf2Sha512(bad)).toBeNull();
      expect(await checkPassword("password", bad)).toBe("invalid");
    }
  });

  it("accepts a plaintext stored value as deprecated (to be re-hashed), never an empty password", async () => {
    expect(await checkPassword("s3cret", "s3cret")).toBe("valid-plaintext");
    expect(await checkPassword("s3cret", "S3cret")).toBe("invalid");
    expect(await checkPassword("", "")).toBe("invalid");
    expect(await checkPassword("", null)).toBe("invalid");
    expect(await checkPassword("x", null)).toBe("invalid");
  });

  it("hashes with Odoo's 600,000 rounds in passlib's layout", async () => {
    const hash = await hashPassword("correct horse");
    expect(hash).toMatch(/^\$pbkdf2-sha512\$600000\$[A-Za-z0-9./]{22}\$[A-Za-z0-9./]{86}$/);
    expect(ODOO_PBKDF2_ROUNDS).toBe(600_000);
    expect(await checkPassword("correct horse", hash)).toBe("valid");
    expect(await checkPassword("correct horsE", hash)).toBe("invalid");
    expect(await hashPassword("correct horse")).not.toBe(hash); // a new salt each time
  });

  it("ships admin/admin and demo/demo hashed with 600,000 rounds", async () => {
    expect(parsePbkdf2Sha512(ADMIN_PASSWORD_HASH)?.rounds).toBe(600_000);
    expect(await checkPassword("admin", ADMIN_PASSWORD_HASH)).toBe("valid");
    expect(await checkPassword("demo", ADMIN_PASSWORD_HASH)).toBe("invalid");
    expect(await checkPassword("demo", DEMO_PASSWORD_HASH)).toBe("valid");
  });

  it("uses the adapted base64 alphabet ('.' for '+', no padding)", () => {
    const bytes = Buffer.from([0xfb, 0xef, 0xff]);
    expect(ab64Encode(bytes)).toBe("..//"); // 62 62 63 63: "++//" in standard base64
    expect(ab64Decode("..//")).toEqual(bytes);
    expect(ab64Encode(Buffer.from("a"))).toBe("YQ");
    expect(ab64Decode("Y")).toBeNull();
    expect(ab64Decode("a=")).toBeNull();
  });
});
