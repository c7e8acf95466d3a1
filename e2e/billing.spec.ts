import { expect, test, type Page } from "@playwright/test";
import { logIn, signUp, uniqueEmail } from "./fixtures/accounts";
import { payWithEcoCash } from "./fixtures/billing";
import { randomLetters, fillOdooAdminPassword } from "./fixtures/instances";

/**
 * Billing in Chromium with the builtin provider and the Paynow protocol stand-in (started by
 * playwright.config.ts where the app's PAYNOW_URL points).
 */
const PASSWORD = "E2e-Password-42!";
let createdInstanceIds: string[] = [];

test.afterEach(async ({ page }) => {
  for (const id of createdInstanceIds) {
    await page.request.post("/api/trpc/instances.delete", { data: { json: { id } } }).catch(() => undefined);
  }
  createdInstanceIds = [];
});

async function fillCreateForm(page: Page, name: string) {
  await page.goto("/instances/new");
  const subdomain = `e2e${randomLetters(10)}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Subdomain", { exact: true }).fill(subdomain);
  await expect(page.getByTestId("subdomain-check")).toHaveText(`${subdomain} is available`);
  const standard = page.getByRole("radio", { name: /^Standard/ });
  await standard.check();
  await expect(standard).toHaveAccessibleName(/\$8\.00/);
  await fillOdooAdminPassword(page);
  return subdomain;
}

test("the pricing page lists the catalog's prices with the free trial", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "Pricing" }).first().click();
  await expect(page.getByRole("heading", { name: "Pricing" })).toBeVisible();
  const price = (plan: string) => page.locator(`[data-testid="plan-card"][data-plan-id="${plan}"]`).getByTestId("plan-price");
  await expect(price("basic-monthly")).toHaveText("$5.00 / month");
  await expect(price("standard-monthly")).toHaveText("$8.00 / month");
  await expect(price("premium-monthly")).toHaveText("$10.00 / month");
  await expect(page.getByTestId("plan-trial")).toHaveCount(3);
});

test("sign up, pick the standard plan with its free trial: the instance runs; a second trial is not offered", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, { name: "Trial Customer", email: uniqueEmail("trial"), password: PASSWORD });
  await fillCreateForm(page, "E2E Trial");
  const trial = page.getByLabel("Start with the 14-day free trial");
  await expect(trial).toBeChecked();
  await expect(page.getByTestId("trial-badge")).toHaveText("Free trial");
  await page.getByRole("button", { name: "Create instance" }).click();
  await expect(page).toHaveURL(/\/instances\/(?!new$)[^/]+$/);
  createdInstanceIds.push(new URL(page.url()).pathname.split("/").pop()!);
  await expect(page.getByTestId("instance-status")).toHaveText("RUNNING", { timeout: 90_000 });
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText("Free trial started");

  await page.getByRole("link", { name: "Billing", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Billing", level: 1 })).toBeVisible();
  const subscription = page.getByTestId("subscription-row");
  await expect(subscription).toHaveCount(1);
  await expect(subscription.getByTestId("subscription-status")).toHaveText("Trial");
  await expect(subscription.getByTestId("subscription-term")).toContainText("Trial ends");
  const invoice = page.getByTestId("invoice-row");
  await expect(invoice).toHaveCount(1);
  await expect(invoice.getByTestId("invoice-amount")).toHaveText("$0.00");
  await expect(invoice.getByTestId("invoice-status")).toHaveText("Paid");

  await page.goto("/instances/new");
  await expect(page.getByLabel(/^Start with the/)).toBeDisabled();
  await expect(page.getByLabel(/^Start with the/)).not.toBeChecked();
  await expect(page.getByTestId("trial-hint")).toHaveText("You have used your free trial");
});

test("without a trial the instance waits for payment; paying with EcoCash provisions it", async ({ page }) => {
  test.setTimeout(180_000);
  const email = uniqueEmail("ecocash");
  await signUp(page, { name: "Paying Customer", email, password: PASSWORD });
  await fillCreateForm(page, "E2E Paid");
  await page.getByLabel("Start with the 14-day free trial").uncheck();
  await expect(page.getByTestId("trial-hint")).toHaveText("The first invoice is due now; the instance starts once it is paid.");
  await page.getByRole("button", { name: "Create instance" }).click();

  // Straight to billing: one unpaid $8.00 invoice, the instance awaiting payment.
  await expect(page).toHaveURL(/\/billing$/);
  const subscription = page.getByTestId("subscription-row");
  await expect(subscription).toHaveCount(1, { timeout: 30_000 });
  const instanceId = (await subscription.getAttribute("data-instance-id"))!;
  createdInstanceIds.push(instanceId);
  await expect(subscription.getByTestId("instance-status")).toHaveText("Awaiting payment");
  const invoice = page.locator('[data-testid="invoice-row"][data-state="UNPAID"]');
  await expect(invoice.getByTestId("invoice-amount")).toHaveText("$8.00");
  await expect(invoice.getByTestId("invoice-status")).toHaveText("Unpaid");

  // The instance page explains the wait and links back to billing.
  await page.goto(`/instances/${instanceId}`);
  const notice = page.getByTestId("instance-billing-notice");
  await expect(notice.getByRole("heading", { name: "Waiting for payment" })).toBeVisible();
  await expect(page.getByTestId("instance-status")).toHaveAttribute("data-status", "PENDING_PAYMENT");
  await notice.getByRole("link", { name: "Go to billing" }).click();
  await expect(page).toHaveURL(/\/billing$/);

  // A number Paynow refuses is a field error; the test number that pays is accepted.
  const unpaid = page.locator('[data-testid="invoice-row"][data-state="UNPAID"]');
  await unpaid.getByRole("button", { name: "Pay with EcoCash" }).click();
  const form = page.getByRole("form", { name: /^Pay invoice .* with EcoCash$/ });
  await form.getByLabel("EcoCash number").fill("0774444444");
  await form.getByRole("button", { name: "Send payment request" }).click();
  await expect(form.getByLabel("EcoCash number")).toHaveAttribute("aria-invalid", "true");
  await expect(form).toContainText("Insufficient balance");
  await page.reload();
  await payWithEcoCash(page);
  await expect(page.locator('[data-testid="invoice-row"][data-state="PAID"]').getByTestId("invoice-amount")).toHaveText("$8.00", { timeout: 30_000 });

  // Provisioned after the payment.
  await page.goto(`/instances/${instanceId}`);
  await expect(page.getByTestId("instance-status")).toHaveText("RUNNING", { timeout: 90_000 });
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText("Billing confirmed (paid)");

  // The admin sees the deliveries with their results, and a replay changes nothing.
  await page.context().clearCookies();
  await logIn(page, process.env.ADMIN_EMAIL!, process.env.ADMIN_PASSWORD!);
  await page.goto("/admin/billing");
  await expect(page.getByRole("heading", { name: "Billing deliveries" })).toBeVisible();
  const paid = page.locator('[data-testid="billing-event"][data-event-type="INVOICE_PAYMENT_SUCCESS"]').first();
  await expect(paid).toHaveAttribute("data-status", "PROCESSED");
  await expect(paid).toContainText(/paid; provisioning/);
  await expect(page.locator('[data-testid="billing-event"][data-event-type="STATUS_UPDATE"]').first()).toBeVisible();
  await paid.getByRole("button", { name: /^Replay/ }).click();
  await expect(paid.getByRole("status")).toHaveText("Replay queued");
  // The worker processes it again and finds the instance already provisioned.
  await expect(paid).toContainText(/instance already (provisioning|starting|running)/, { timeout: 20_000 });
  await expect(paid).toHaveAttribute("data-status", "PROCESSED");
  await page.goto(`/instances/${instanceId}`);
  await expect(page.getByTestId("instance-status")).toHaveText("RUNNING");
});

test("webhook routes: a wrong Kill Bill secret is 404 whatever the body; a Paynow post with a bad hash is 400", async ({ request }) => {
  const body = { eventType: "INVOICE_PAYMENT_SUCCESS", accountId: null, objectType: "INVOICE", objectId: "x", metaData: null };
  expect((await request.post("/api/webhooks/killbill/not-the-secret", { data: body })).status()).toBe(404);
  expect((await request.post("/api/webhooks/killbill/not-the-secret", { data: "{broken" })).status()).toBe(404);
  const secret = process.env.KILLBILL_WEBHOOK_SECRET!;
  const malformed = await request.post(`/api/webhooks/killbill/${secret}`, { data: { eventType: "INVOICE_PAYMENT_SUCCESS" } });
  expect(malformed.status()).toBe(400);
  expect(await malformed.json()).toMatchObject({ fieldErrors: { accountId: expect.any(Array) } });
  const accepted = await request.post(`/api/webhooks/killbill/${secret}`, {
    data: { eventType: "TAG_CREATION", accountId: null, objectType: "TAG", objectId: `e2e-${randomLetters(8)}`, metaData: null },
  });
  expect(accepted.status()).toBe(200);
  const paynow = await request.post("/api/webhooks/paynow", {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    data: "reference=INV1-1&amount=8.00&paynowreference=1&pollurl=http%3A%2F%2Fevil.example%2F&status=Paid&hash=ABC",
  });
  expect(paynow.status()).toBe(400);
});
