import { expect, test, type APIResponse, type Browser, type Page } from "@playwright/test";
import { logIn, signUp, uniqueEmail } from "./fixtures/accounts";
import { randomLetters, fillOdooAdminPassword } from "./fixtures/instances";

/**
 * The web edge: security headers on every page and API route, a nonce-based CSP that the real
 * pages run under in Chromium without a single violation, cross-origin mutations refused, and
 * Auth.js's error endpoint never answering 500.
 */

const PASSWORD = "E2e-Password-42!";
const EVIL = "http://evil.example";

function adminCredentials() {
  const email = process.env.ADMIN_EMAIL;
  const password = process.env.ADMIN_PASSWORD;
  if (!email || !password) throw new Error("ADMIN_EMAIL and ADMIN_PASSWORD must be set for e2e");
  return { email, password };
}

/** The CSP's script-src nonce, after checking the whole policy. */
function expectStrictCsp(csp: string | undefined, what: string): string {
  expect(csp, `${what}: Content-Security-Policy`).toBeTruthy();
  const directives = new Map(
    csp!.split(";").map((part) => {
      const [name = "", ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
  const scriptSrc = directives.get("script-src") ?? [];
  const nonce = scriptSrc.find((value) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(value));
  expect(nonce, `${what}: script-src carries a nonce (${scriptSrc.join(" ")})`).toBeTruthy();
  expect(scriptSrc, `${what}: script-src`).not.toContain("'unsafe-inline'");
  expect(scriptSrc, `${what}: script-src`).not.toContain("'unsafe-eval'");
  expect(directives.get("default-src"), `${what}: default-src`).toEqual(["'self'"]);
  expect(directives.get("style-src") ?? [], `${what}: style-src`).not.toContain("'unsafe-inline'");
  expect(directives.get("object-src"), `${what}: object-src`).toEqual(["'none'"]);
  expect(directives.get("frame-ancestors"), `${what}: frame-ancestors`).toEqual(["'none'"]);
  return nonce!.slice("'nonce-".length, -1);
}

function expectStaticHeaders(headers: Record<string, string>, what: string) {
  expect(headers["x-content-type-options"], `${what}: X-Content-Type-Options`).toBe("nosniff");
  expect(headers["x-frame-options"], `${what}: X-Frame-Options`).toBe("DENY");
  expect(headers["referrer-policy"], `${what}: Referrer-Policy`).toBe("strict-origin-when-cross-origin");
  // Served over plain HTTP (APP_URL http, no trusted proxy): no HSTS.
  expect(headers["strict-transport-security"], `${what}: Strict-Transport-Security`).toBeUndefined();
}

function expectSecurityHeaders(response: APIResponse, what: string): string {
  const headers = response.headers();
  expectStaticHeaders(headers, what);
  return expectStrictCsp(headers["content-security-policy"], what);
}

/** Every <script> of the HTML carries the response's nonce (else the CSP would block it). */
function expectScriptsCarryNonce(html: string, nonce: string, what: string) {
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, `${what}: has scripts`).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, `${what}: script tag`).toContain(`nonce="${nonce}"`);
}

const PUBLIC_PAGES = ["/", "/login", "/signup", "/pricing", "/forgot-password", "/reset-password?token=x"];
const ADMIN_PAGES = ["/dashboard", "/instances/new", "/billing", "/admin", "/admin/customers", "/admin/instances", "/admin/db-servers"];

test("every page answers with the security headers and a fresh nonce its scripts carry", async ({ page, request }) => {
  const nonces = new Set<string>();
  for (const path of PUBLIC_PAGES) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    const nonce = expectSecurityHeaders(response, path);
    expectScriptsCarryNonce(await response.text(), nonce, path);
    nonces.add(nonce);
  }
  // Protected pages signed out: the redirect carries them too.
  for (const path of ADMIN_PAGES) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect([200, 302, 303, 307, 308], path).toContain(response.status());
    nonces.add(expectSecurityHeaders(response, `${path} (signed out)`));
  }
  const admin = adminCredentials();
  await logIn(page, admin.email, admin.password);
  for (const path of ADMIN_PAGES) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(200);
    const nonce = expectSecurityHeaders(response, path);
    expectScriptsCarryNonce(await response.text(), nonce, path);
    nonces.add(nonce);
  }
  const notFound = await request.get("/no-such-page");
  expect(notFound.status()).toBe(404);
  nonces.add(expectSecurityHeaders(notFound, "404 page"));
  // One nonce per response, never reused.
  expect(nonces.size).toBe(PUBLIC_PAGES.length + 2 * ADMIN_PAGES.length + 1);
});

test("every API route answers with the security headers, whatever its status", async ({ request }) => {
  const calls: Array<[string, () => Promise<APIResponse>, number]> = [
    ["GET /api/health", () => request.get("/api/health"), 200],
    ["GET /api/trpc/system.status", () => request.get("/api/trpc/system.status"), 200],
    ["GET /api/trpc/auth.me (signed out)", () => request.get("/api/trpc/auth.me"), 401],
    ["POST /api/trpc/auth.register (bad input)", () => request.post("/api/trpc/auth.register", { data: {} }), 400],
    ["GET /api/auth/session", () => request.get("/api/auth/session"), 200],
    ["GET /api/auth/csrf", () => request.get("/api/auth/csrf"), 200],
    ["GET /api/auth/error", () => request.get("/api/auth/error?error=Configuration", { maxRedirects: 0 }), 302],
    ["GET /api/metrics (no token)", () => request.get("/api/metrics"), 401],
    ["GET /api/backups/x/download (signed out)", () => request.get("/api/backups/x/download"), 401],
    ["POST /api/webhooks/killbill/<wrong secret>", () => request.post("/api/webhooks/killbill/wrong", { data: {} }), 404],
    ["GET /api/nothing-here", () => request.get("/api/nothing-here"), 404],
  ];
  for (const [what, call, status] of calls) {
    const response = await call();
    expect(response.status(), what).toBe(status);
    expectSecurityHeaders(response, what);
  }
  // Static files get the headers that do not depend on the request.
  const html = await (await request.get("/")).text();
  const chunk = html.match(/\/_next\/static\/[^"]+\.js/)?.[0];
  expect(chunk, "a script chunk on the home page").toBeTruthy();
  for (const path of [chunk!, "/robots.txt", "/favicon.ico", "/icon.svg"]) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    expectStaticHeaders(response.headers(), path);
  }
});

test("a client's X-Forwarded-Proto does not turn on HSTS: no proxy is trusted by default", async ({ request }) => {
  const response = await request.get("/", { headers: { "X-Forwarded-Proto": "https" } });
  expect(response.headers()["strict-transport-security"]).toBeUndefined();
  expect(response.headers()["content-security-policy"]).not.toContain("upgrade-insecure-requests");
});

/** Opens a page, recording CSP violations and script errors, and waits until React has hydrated. */
async function visitWithoutViolations(page: Page, path: string, landmark: (page: Page) => Promise<void>, status = 200) {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(message.text())) violations.push(message.text());
  });
  page.on("pageerror", (error) => violations.push(`page error: ${error.message}`));
  await page.exposeFunction("__reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
      void report(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(status);
  await landmark(page);
  // React hydrated the document: its fiber is attached to the body.
  await expect
    .poll(() => page.evaluate(() => Object.keys(document.body).some((key) => key.startsWith("__reactFiber$"))), { message: `${path} hydrated` })
    .toBe(true);
  await page.waitForLoadState("networkidle");
  expect(violations, `${path}: CSP violations`).toEqual([]);
}

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

test("in Chromium, the pages render and hydrate under the CSP without a violation", async ({ browser }) => {
  const publicPages: Array<[string, (page: Page) => Promise<void>]> = [
    ["/", (page) => expect(page.getByTestId("platform-status")).toHaveText("All systems operational")],
    ["/login", (page) => expect(page.getByRole("button", { name: "Log in" })).toBeVisible()],
    ["/signup", (page) => expect(page.locator('[data-rule="length"]')).toBeVisible()],
    ["/pricing", (page) => expect(page.getByRole("heading", { level: 1 })).toBeVisible()],
  ];
  for (const [path, landmark] of publicPages) {
    const page = await freshPage(browser);
    await visitWithoutViolations(page, path, landmark);
    await page.context().close();
  }
  const missing = await freshPage(browser);
  await visitWithoutViolations(missing, "/no-such-page", (page) => expect(page.getByText("This page could not be found.")).toBeVisible(), 404);
  await missing.context().close();
  // The live password checklist is client code: it reacts only once hydrated.
  const signup = await freshPage(browser);
  await signup.goto("/signup");
  await signup.getByLabel("Password", { exact: true }).fill("abc");
  await expect(signup.locator('[data-rule="lower"]')).toHaveAttribute("data-ok", "true");
  await signup.context().close();

  const admin = adminCredentials();
  const adminPages: Array<[string, (page: Page) => Promise<void>]> = [
    ["/dashboard", (page) => expect(page.getByTestId("signed-in-as")).toBeVisible()],
    ["/instances/new", (page) => expect(page.getByRole("heading", { level: 1 })).toBeVisible()],
    ["/billing", (page) => expect(page.getByRole("heading", { level: 1 })).toBeVisible()],
    ["/admin", (page) => expect(page.getByTestId("admin-customers")).toHaveText(/^\d+$/)],
    ["/admin/customers", (page) => expect(page.getByRole("heading", { level: 1 })).toBeVisible()],
    // Its usage bars are server-rendered style attributes.
    ["/admin/db-servers", (page) => expect(page.getByTestId("db-server-usage").first()).toBeVisible()],
  ];
  const page = await freshPage(browser);
  // Signing in through the form is next-auth's POST with the browser's own Origin.
  await logIn(page, admin.email, admin.password);
  for (const [path, landmark] of adminPages) {
    const tab = await page.context().newPage();
    await visitWithoutViolations(tab, path, landmark);
    await tab.close();
  }
  await page.context().close();
});

test("in Chromium, a customer's instance page and billing page with an invoice run under the CSP without a violation", async ({ page }) => {
  await signUp(page, { name: "CSP Customer", email: uniqueEmail("csp"), password: PASSWORD });
  // An instance awaiting payment (no trial): it has a page and an invoice, and no container.
  await page.goto("/instances/new");
  const subdomain = `e2e${randomLetters(10)}`;
  await page.getByLabel("Name", { exact: true }).fill("CSP Shop");
  await page.getByLabel("Subdomain", { exact: true }).fill(subdomain);
  await expect(page.getByTestId("subdomain-check")).toHaveText(`${subdomain} is available`);
  await page.getByLabel("Start with the 14-day free trial").uncheck();
  await fillOdooAdminPassword(page);
  await page.getByRole("button", { name: "Create instance" }).click();
  await expect(page).toHaveURL(/\/billing$/);
  const subscription = page.getByTestId("subscription-row");
  await expect(subscription).toHaveCount(1, { timeout: 30_000 });
  const instanceId = (await subscription.getAttribute("data-instance-id"))!;

  const billing = await page.context().newPage();
  await visitWithoutViolations(billing, "/billing", (tab) => expect(tab.locator('[data-testid="invoice-row"][data-state="UNPAID"]')).toHaveCount(1, { timeout: 30_000 }));
  await billing.close();
  const instance = await page.context().newPage();
  await visitWithoutViolations(instance, `/instances/${instanceId}`, (tab) => expect(tab.getByRole("heading", { name: "CSP Shop" })).toBeVisible());
  await instance.close();
  await page.request.post("/api/trpc/instances.delete", { data: { json: { id: instanceId } } });
});

test("cross-origin mutations are refused with 403 and change nothing; same-origin ones work", async ({ page, baseURL }) => {
  await signUp(page, { name: "Origin Check", email: uniqueEmail("origin"), password: PASSWORD });
  const logOutEverywhere = (headers: Record<string, string>) =>
    page.request.post("/api/trpc/auth.logOutEverywhere", { headers, multipart: { note: "simple request" } });

  const crossOrigin: Array<Record<string, string>> = [{ Origin: EVIL }, { Origin: "null" }, { Referer: `${EVIL}/attack.html` }];
  for (const headers of crossOrigin) {
    const refused = await logOutEverywhere(headers);
    expect(refused.status(), JSON.stringify(headers)).toBe(403);
    expect(refused.headers()["content-type"]).toContain("application/json");
    expect((await refused.json()).error).toMatch(/^Cross-origin request refused: its (Origin|Referer) is not http/);
  }
  const signOut = await page.request.post("/api/auth/signout", { headers: { Origin: EVIL }, form: { csrfToken: "x" } });
  expect(signOut.status()).toBe(403);
  // Still signed in.
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Origin Check");

  // Webhooks are server to server: the Origin check does not apply (the wrong secret answers 404).
  const webhook = await page.request.post("/api/webhooks/killbill/wrong-secret", { headers: { Origin: EVIL }, data: {} });
  expect(webhook.status()).toBe(404);

  // The same call from the app's own origin goes through and ends the session.
  const allowed = await page.request.post("/api/trpc/auth.logOutEverywhere", {
    headers: { Origin: baseURL!, "Content-Type": "application/json" },
    data: "{}",
  });
  expect(allowed.status()).toBe(200);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login$/);
});

test("/api/auth/error never answers 500: it sends the visitor to our login page with a message", async ({ page, request }) => {
  for (const error of ["Configuration", "AccessDenied", "Verification", "Default", "Nonsense", ""]) {
    const response = await request.get(`/api/auth/error?error=${encodeURIComponent(error)}`, { maxRedirects: 0 });
    expect(response.status(), error).toBe(302);
    expect(response.headers().location, error).toMatch(/^(http:\/\/[^/]+)?\/login\?error=/);
  }
  // Unknown providers end in the "Configuration" error.
  const unknown = await request.get("/api/auth/signin/no-such-provider", { maxRedirects: 0 });
  expect(unknown.status()).toBeLessThan(500);
  expect(unknown.headers().location).toMatch(/\/login\?error=Configuration$/);

  const followed = await page.goto("/api/auth/error?error=Configuration");
  expect(followed?.status()).toBe(200);
  await expect(page).toHaveURL(/\/login\?error=Configuration$/);
  await expect(page.getByText("That sign-in link or method is not available. Log in with your email and password.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
});

test("robots.txt keeps accounts, admin and the API out of indexes", async ({ request }) => {
  const response = await request.get("/robots.txt");
  expect(response.status()).toBe(200);
  const rules = (await response.text()).split("\n").map((line) => line.trim());
  for (const path of ["/admin", "/api", "/dashboard", "/instances", "/billing"]) expect(rules).toContain(`Disallow: ${path}`);
  const icon = await request.get("/favicon.ico");
  expect(icon.headers()["content-type"]).toMatch(/image\//);
});
