import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { logIn } from "./fixtures/accounts";

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the database server e2e test needs it`);
  return value;
}

/** Runs SQL on the first pool server as its manager role, as the platform does. */
async function asPoolManager(sql: string): Promise<void> {
  const client = new pg.Client({
    host: requiredEnv("POOL_DB_HOST"),
    port: Number(requiredEnv("POOL_DB_PORT")),
    user: requiredEnv("POOL_DB_MANAGER_USER"),
    password: requiredEnv("POOL_DB_MANAGER_PASSWORD"),
    database: "postgres",
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

test("the server list shows a database open to every role and closes it", async ({ page }) => {
  // The manager's own database, left as CREATE DATABASE makes it: every role may connect.
  const scratch = `saas_e2e_open_${randomBytes(5).toString("hex")}`;
  await asPoolManager(`CREATE DATABASE "${scratch}"`);
  try {
    await logIn(page, requiredEnv("ADMIN_EMAIL"), requiredEnv("ADMIN_PASSWORD"));
    await page.goto("/admin/db-servers");
    const row = page.locator('[data-testid="db-server-row"][data-server-name="default"]');
    await expect(row.getByTestId("db-server-isolation")).toHaveText(/^\d+ open$/, { timeout: 30_000 });
    const details = row.getByTestId("db-server-isolation-details");
    await details.locator("summary").click();
    await expect(details.getByRole("listitem").filter({ hasText: scratch })).toHaveText(
      `${scratch}: every role may connect, tenants included — the platform may close it`,
    );
    await expect(row.getByTestId("db-server-isolation-sql")).toContainText(`REVOKE CONNECT, TEMPORARY ON DATABASE "${scratch}" FROM PUBLIC;`);

    await row.getByRole("button", { name: "Close what the platform may" }).click();
    await expect(details.getByRole("listitem").filter({ hasText: scratch })).toHaveText(
      `${scratch}: every role may connect, tenants included — closed by the platform`,
      { timeout: 30_000 },
    );
    await expect(row.getByText(`REVOKE CONNECT, TEMPORARY ON DATABASE "${scratch}"`)).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath("db-servers.png"), fullPage: true });
  } finally {
    await asPoolManager(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
  }
});
