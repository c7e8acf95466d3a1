import { expect, test } from "@playwright/test";
import { signUp, uniqueEmail } from "./fixtures/accounts";
import { apiGetStatus, fillOdooAdminPassword, ODOO_ADMIN_PASSWORD, randomLetters } from "./fixtures/instances";

const PASSWORD = "E2e-Password-42!";

let createdInstanceId: string | undefined;

test.afterEach(async ({ page }, testInfo) => {
  // A failed run must not leave a container behind: ask the platform to delete it (best effort).
  if (createdInstanceId && testInfo.status !== testInfo.expectedStatus) {
    await page.request
      .post("/api/trpc/instances.delete", { data: { json: { id: createdInstanceId } } })
      .catch(() => undefined);
  }
  createdInstanceId = undefined;
});

test("a customer creates an instance, watches it provision, opens it, logs in to Odoo, stops it and deletes it", async ({ page, context }) => {
  test.setTimeout(240_000);
  const email = uniqueEmail("instance");
  await signUp(page, { name: "Instance Owner", email, password: PASSWORD });
  await expect(page.getByRole("heading", { name: "Your instances" })).toBeVisible();
  await expect(page.getByText("You have no instances yet.")).toBeVisible();

  await page.getByRole("link", { name: "Create instance" }).click();
  await expect(page).toHaveURL(/\/instances\/new$/);
  const subdomain = `e2e${randomLetters(10)}`;
  await page.getByLabel("Name", { exact: true }).fill("E2E Shop");
  await page.getByLabel("Subdomain", { exact: true }).fill(subdomain);
  await expect(page.getByTestId("subdomain-check")).toHaveText(`${subdomain} is available`);
  // The Odoo administrator's password: the platform's policy, ticked live.
  const odooPassword = page.getByLabel("Odoo administrator password", { exact: true });
  await odooPassword.fill("short");
  await expect(page.getByTestId("odoo-admin-fields").locator('[data-rule="length"]')).toHaveAttribute("data-ok", "false");
  await fillOdooAdminPassword(page);
  await expect(page.getByTestId("odoo-admin-fields").locator('[data-rule="length"]')).toHaveAttribute("data-ok", "true");
  await page.getByLabel("Language").selectOption("en_US");
  await page.getByLabel("Time zone").selectOption("Europe/Warsaw");
  await page.getByRole("button", { name: "Create instance" }).click();

  await expect(page).toHaveURL(/\/instances\/(?!new$)[^/]+$/);
  createdInstanceId = new URL(page.url()).pathname.split("/").pop();
  await expect(page.getByRole("heading", { name: "E2E Shop" })).toBeVisible();

  // The timeline fills in live with the request and the provisioning steps.
  const status = page.getByTestId("instance-status");
  const timeline = page.getByRole("list", { name: "Timeline" });
  await expect(timeline).toContainText("Instance requested");
  await expect
    .poll(() => timeline.locator('[data-event-type="STEP"]').count(), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(3);
  await expect(status).toHaveText("RUNNING", { timeout: 60_000 });
  await expect(timeline.locator('[data-event-type="STEP"]').filter({ hasText: "Container started" })).toHaveCount(1);
  await expect(timeline.locator('[data-event-type="STATUS"]').filter({ hasText: "RUNNING" }).first()).toBeVisible();

  // Actions follow the status: a running instance can be stopped and restarted, not started.
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Stop", exact: true })).toBeEnabled();
  await expect(page.getByRole("button", { name: "Restart", exact: true })).toBeEnabled();

  // Health and logs come from the real container.
  await page.getByRole("button", { name: "Refresh health" }).click();
  await expect(page.getByTestId("health-http")).toHaveText("Healthy");
  await expect(page.getByTestId("health-container")).toHaveText(/running/i);
  await page.getByRole("button", { name: "Refresh logs" }).click();
  await expect(page.getByTestId("instance-logs")).toContainText(/INFO/);

  // Open goes to the instance's own Odoo login page, which names its database.
  const databaseName = (await page.getByTestId("instance-database").textContent())?.trim();
  expect(databaseName, "the database name is shown").toBeTruthy();
  const open = page.getByRole("link", { name: "Open", exact: true });
  await expect(open).toHaveAttribute("target", "_blank");
  const [odoo] = await Promise.all([context.waitForEvent("page"), open.click()]);
  await odoo.waitForLoadState("domcontentloaded");
  await expect(odoo).toHaveURL(/\/web\/login/);
  const reload = await odoo.reload();
  expect(reload?.status()).toBe(200);
  await expect(odoo).toHaveTitle(/Odoo/);
  await expect(odoo.locator("html")).toHaveAttribute("data-database", databaseName!);
  await expect(page.getByTestId("odoo-login-email")).toHaveText(email);

  // Odoo's own default login is refused; the owner's email and chosen password get in.
  await odoo.getByLabel("Email").fill("admin");
  await odoo.getByLabel("Password").fill("admin");
  await odoo.getByRole("button", { name: "Log in" }).click();
  await expect(odoo.getByText("Wrong login/password")).toBeVisible();
  await odoo.getByLabel("Email").fill(email);
  await odoo.getByLabel("Password").fill(ODOO_ADMIN_PASSWORD);
  await odoo.getByRole("button", { name: "Log in" }).click();
  await expect(odoo).toHaveURL(/\/(web|odoo)$/);
  await expect(odoo.locator("body.o_web_client")).toHaveAttribute("data-uid", "2");
  await odoo.close();

  // Stop.
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(status).toHaveText("STOPPED", { timeout: 60_000 });
  await expect(page.getByRole("link", { name: "Open", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeEnabled();
  await expect(page.getByRole("button", { name: "Stop", exact: true })).toBeDisabled();
  await expect(timeline).toContainText("Stop requested");

  // Delete, confirmed by typing the subdomain.
  await page.getByRole("button", { name: "Delete instance" }).click();
  const confirm = page.getByRole("button", { name: "Confirm delete" });
  const typed = page.getByLabel("Type the subdomain to confirm");
  await expect(confirm).toBeDisabled();
  await typed.fill(`${subdomain}x`);
  await expect(confirm).toBeDisabled();
  await typed.fill(subdomain);
  await confirm.click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("link", { name: "E2E Shop" })).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByText("You have no instances yet.")).toBeVisible();
  // Deletion runs in the worker: the list may already be empty (its cache is refreshed first)
  // while the instance is DELETING; once DELETED, it is gone from the API too.
  const deletedId = createdInstanceId!;
  await expect.poll(() => apiGetStatus(page, deletedId), { timeout: 60_000 }).toBe(404);
  createdInstanceId = undefined;
});

test("the create form shows field errors for a reserved and an invalid subdomain, creating nothing", async ({ page }) => {
  await signUp(page, { name: "Picky Customer", email: uniqueEmail("subdomain"), password: PASSWORD });
  await page.getByRole("link", { name: "New instance" }).click();
  await expect(page).toHaveURL(/\/instances\/new$/);

  const subdomain = page.getByLabel("Subdomain", { exact: true });
  const submit = page.getByRole("button", { name: "Create instance" });
  await page.getByLabel("Name", { exact: true }).fill("Not created");

  await subdomain.fill("admin");
  await expect(page.getByTestId("subdomain-check")).toHaveText("This subdomain is reserved");
  await submit.click();
  await expect(subdomain).toHaveAttribute("aria-invalid", "true");
  await expect(subdomain).toHaveAccessibleDescription("This subdomain is reserved");

  await subdomain.fill("A!");
  await submit.click();
  await expect(subdomain).toHaveAccessibleDescription(/^Use 4-32 characters/);
  await expect(page).toHaveURL(/\/instances\/new$/);

  await page.goto("/dashboard");
  await expect(page.getByText("You have no instances yet.")).toBeVisible();
  await expect(page.getByTestId("instance-row")).toHaveCount(0);
});
