import { expect, test } from "@playwright/test";

test("/api/health sees PostgreSQL, Redis and the container engine up, and the worker alive", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toBe("no-store");
  const body = await response.json();
  expect(body.status).toBe("ok");
  expect(body.down).toEqual([]);
  for (const name of ["postgres", "redis", "containerEngine"]) {
    expect(body.checks[name], name).toMatchObject({ ok: true });
  }
  expect(body.checks.postgres.version).toMatch(/^\d+/);
  expect(body.checks.containerEngine.version).toMatch(/^\d+\.\d+/);
  // The worker started with the web server records a heartbeat within seconds of booting.
  await expect
    .poll(async () => (await (await request.get("/api/health")).json()).worker?.queues, { timeout: 20_000 })
    .toContain("maintenance");
});
