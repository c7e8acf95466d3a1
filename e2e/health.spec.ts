import { expect, test } from "@playwright/test";
import { logIn, signUp, uniqueEmail } from "./fixtures/accounts";

const metricsToken = () => {
  const token = process.env.METRICS_TOKEN;
  if (!token) throw new Error("METRICS_TOKEN must be set for e2e (.env)");
  return token;
};

test("/api/health tells anyone PostgreSQL, Redis and the container engine are up, and nothing more", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toBe("no-store");
  const body = await response.json();
  expect(body).toEqual({
    status: "ok",
    down: [],
    checks: { postgres: { ok: true }, redis: { ok: true }, containerEngine: { ok: true } },
    checkedAt: expect.any(String),
  });
  // A wrong token is no better than none.
  const guessed = await request.get("/api/health", { headers: { Authorization: "Bearer not-the-metrics-token" } });
  expect(JSON.stringify(await guessed.json())).not.toMatch(/version|latency|queue|worker|lastSeen/i);
});

test("/api/health gives versions and the worker's heartbeat to the metrics token", async ({ request }) => {
  const detailed = () => request.get("/api/health", { headers: { Authorization: `Bearer ${metricsToken()}` } });
  const body = await (await detailed()).json();
  expect(body.status).toBe("ok");
  for (const name of ["postgres", "redis", "containerEngine"]) {
    expect(body.checks[name], name).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
  }
  expect(body.checks.postgres.version).toMatch(/^\d+/);
  expect(body.checks.containerEngine.version).toMatch(/^\d+\.\d+/);
  // The worker started with the web server records a heartbeat within seconds of booting.
  await expect.poll(async () => (await (await detailed()).json()).worker?.queues, { timeout: 20_000 }).toContain("maintenance");
});

test("/api/health gives the details to a signed-in admin, not to a customer", async ({ page }) => {
  await signUp(page, { name: "Health Customer", email: uniqueEmail("health"), password: "E2e-Password-42!" });
  const asCustomer = await (await page.request.get("/api/health")).json();
  expect(asCustomer.checks.postgres).toEqual({ ok: true });
  expect(asCustomer).not.toHaveProperty("worker");
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);

  const email = process.env.ADMIN_EMAIL;
  const password = process.env.ADMIN_PASSWORD;
  if (!email || !password) throw new Error("ADMIN_EMAIL and ADMIN_PASSWORD must be set for e2e");
  await logIn(page, email, password);
  const asAdmin = await (await page.request.get("/api/health")).json();
  expect(asAdmin.checks.postgres.version).toMatch(/^\d+/);
  expect(asAdmin).toHaveProperty("worker");
});
