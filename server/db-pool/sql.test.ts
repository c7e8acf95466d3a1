import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { quoteIdent, quoteLiteral, scramSha256Verifier, tenantNames } from "./sql";

describe("quoteIdent", () => {
  it("double-quotes plain names", () => {
    expect(quoteIdent("odoo_abc")).toBe('"odoo_abc"');
    expect(quoteIdent("MixedCase")).toBe('"MixedCase"');
  });

  it("doubles embedded quotes so a name cannot close the identifier", () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('x"; DROP DATABASE postgres; --')).toBe('"x""; DROP DATABASE postgres; --"');
    expect(quoteIdent('"')).toBe('""""');
  });

  it("keeps semicolons, single quotes and unicode inside the quotes", () => {
    expect(quoteIdent("a;b")).toBe('"a;b"');
    expect(quoteIdent("it's")).toBe('"it\'s"');
    expect(quoteIdent("café")).toBe('"café"');
  });

  it("refuses empty names, NUL and names PostgreSQL would truncate (63 bytes, not characters)", () => {
    expect(() => quoteIdent("")).toThrow("empty");
    expect(() => quoteIdent("a\0b")).toThrow("NUL");
    expect(quoteIdent("a".repeat(63))).toBe(`"${"a".repeat(63)}"`);
    expect(() => quoteIdent("a".repeat(64))).toThrow("63 bytes");
    // 32 two-byte characters: 32 characters but 64 bytes.
    expect(() => quoteIdent("é".repeat(32))).toThrow("63 bytes");
  });
});

describe("quoteLiteral", () => {
  it("single-quotes and doubles embedded quotes", () => {
    expect(quoteLiteral("secret")).toBe("'secret'");
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral("'; DROP ROLE saas_pool; --")).toBe("'''; DROP ROLE saas_pool; --'");
  });

  it("uses the E'' form when a backslash is present, so the result never depends on standard_conforming_strings", () => {
    expect(quoteLiteral("a\\b")).toBe("E'a\\\\b'");
    expect(quoteLiteral("\\'")).toBe("E'\\\\'''");
  });

  it("keeps unicode and refuses NUL", () => {
    expect(quoteLiteral("pässwörd")).toBe("'pässwörd'");
    expect(() => quoteLiteral("a\0b")).toThrow("NUL");
  });
});

describe("tenantNames", () => {
  it("derives the database and role from the instance id", () => {
    expect(tenantNames("cmb1x2y3z0000abcd1234efgh")).toEqual({
      dbName: "odoo_cmb1x2y3z0000abcd1234efgh",
      roleName: "odoo_cmb1x2y3z0000abcd1234efgh",
    });
  });

  it("stays within PostgreSQL's 63-byte limit for the longest accepted id", () => {
    const { dbName } = tenantNames("a".repeat(40));
    expect(dbName.length).toBeLessThanOrEqual(63);
    expect(() => quoteIdent(dbName)).not.toThrow();
  });

  it.each([
    ["empty", ""],
    ["too short", "abc"],
    ["too long", "a".repeat(41)],
    ["upper case", "CMB1X2Y3Z0000ABCD"],
    ["quote", 'abcdefgh"x'],
    ["semicolon", "abcdefgh;drop"],
    ["space", "abcdefgh x"],
    ["hyphen", "abcdefgh-x"],
    ["underscore", "abcdefgh_x"],
    ["unicode", "abcdéfgh"],
    ["NUL", "abcdefgh\0"],
    ["newline", "abcdefgh\n"],
  ])("refuses an id with %s", (_label, id) => {
    expect(() => tenantNames(id)).toThrow("instance id");
  });
});

describe("scramSha256Verifier", () => {
  const b64 = (value: string) => Buffer.from(value, "base64");
  const hmac = (key: Buffer, data: string) => createHmac("sha256", key).update(data).digest();

  it("matches the RFC 7677 example exchange (user 'user', password 'pencil')", () => {
    const verifier = scramSha256Verifier("pencil", { salt: b64("W22ZaJ0SNY7soEsUEjb6gQ=="), iterations: 4096 });
    const match = /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$([^:]+):(.+)$/.exec(verifier);
    expect(match).not.toBeNull();
    const storedKey = b64(match![1]!);
    const serverKey = b64(match![2]!);

    const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    // The server proves itself with HMAC(ServerKey, AuthMessage): the RFC's "v=" value.
    expect(hmac(serverKey, authMessage).toString("base64")).toBe("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    // The client's proof XOR HMAC(StoredKey, AuthMessage) is ClientKey, whose hash is StoredKey.
    const proof = b64("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    const signature = hmac(storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]!));
    expect(createHash("sha256").update(clientKey).digest().equals(storedKey)).toBe(true);
  });

  it("uses a fresh salt each time and never contains the password", () => {
    const a = scramSha256Verifier("not-in-the-output-123");
    expect(a).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toContain("not-in-the-output");
    expect(scramSha256Verifier("not-in-the-output-123")).not.toBe(a);
  });

  it("refuses empty, NUL and non-ASCII passwords (PostgreSQL would SASLprep them differently)", () => {
    expect(() => scramSha256Verifier("")).toThrow("ASCII");
    expect(() => scramSha256Verifier("a\0b")).toThrow("ASCII");
    expect(() => scramSha256Verifier("pässwörd")).toThrow("ASCII");
  });
});
