import { describe, expect, it } from "vitest";
import { csrfToken, loginPage, validateCsrf } from "./http-app.ts";

describe("the /web/login form", () => {
  it("signs CSRF tokens like Odoo (<hmac>o<max_ts>, a year) and ties them to the session", () => {
    const now = 1_800_000_000;
    const token = csrfToken("sid-a", now);
    expect(token).toMatch(/^[0-9a-f]{40}o\d+$/);
    expect(Number(token.split("o")[1])).toBe(now + 365 * 24 * 3600);
    expect(validateCsrf("sid-a", token, now)).toBe(true);
    expect(validateCsrf("sid-b", token, now)).toBe(false);
    expect(validateCsrf("sid-a", token, now + 366 * 24 * 3600)).toBe(false);
    expect(validateCsrf("sid-a", token.replace(/o(\d+)$/, (_m, ts: string) => `o${Number(ts) + 1}`), now)).toBe(false);
    for (const bad of ["", "o", "abc", `${token}o1`, token.slice(1)]) expect(validateCsrf("sid-a", bad, now)).toBe(false);
  });

  it("has Odoo's fields: csrf_token, db, login, password, redirect; the error when given", () => {
    const html = loginPage("acme", "17.0", { csrf: "t0k", showDb: false, error: "Wrong login/password", login: "a<b", redirect: "/web#x" });
    expect(html).toContain('<input type="hidden" name="csrf_token" value="t0k"/>');
    expect(html).toContain('<input type="hidden" name="db" value="acme"/>');
    expect(html).toContain('name="login" id="login" value="a&lt;b"');
    expect(html).toContain('name="password"');
    expect(html).toContain('<input type="hidden" name="redirect" value="/web#x"/>');
    expect(html).toContain('<p class="alert alert-danger" role="alert">Wrong login/password</p>');
    expect(loginPage("acme", "17.0", { csrf: "t", showDb: false })).not.toContain("alert-danger");
  });
});
