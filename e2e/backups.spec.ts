import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import yauzl from "yauzl";
import { signUp, uniqueEmail } from "./fixtures/accounts";
import { payWithEcoCash } from "./fixtures/billing";
import { apiGetStatus, randomLetters, fillOdooAdminPassword } from "./fixtures/instances";

const PASSWORD = "E2e-Password-42!";

/** The names of every entry of a zip file, read from its central directory. */
function zipEntryNames(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const names: string[] = [];
      zip.on("entry", (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on("end", () => resolve(names));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

const instanceIdFrom = (page: Page) => new URL(page.url()).pathname.split("/").pop()!;

let createdInstanceIds: string[] = [];

test.afterEach(async ({ page }, testInfo) => {
  // A failed run must not leave containers behind: ask the platform to delete them (best effort).
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const id of createdInstanceIds) {
      await page.request.post("/api/trpc/instances.delete", { data: { json: { id } } }).catch(() => undefined);
    }
  }
  createdInstanceIds = [];
});

test("a customer backs up an instance, downloads the zip and restores it into a new instance", async ({ page }) => {
  test.setTimeout(300_000);
  await signUp(page, { name: "Backup Owner", email: uniqueEmail("backup"), password: PASSWORD });

  // The Standard plan allows more than one instance: the restore creates a second one.
  await page.getByRole("link", { name: "Create instance" }).click();
  await expect(page).toHaveURL(/\/instances\/new$/);
  const subdomain = `e2e${randomLetters(10)}`;
  await page.getByLabel("Name", { exact: true }).fill("E2E Backed Up");
  await page.getByLabel("Subdomain", { exact: true }).fill(subdomain);
  await expect(page.getByTestId("subdomain-check")).toHaveText(`${subdomain} is available`);
  const standard = page.getByRole("radio", { name: /^Standard/ });
  await standard.check();
  await expect(standard).toBeChecked();
  await fillOdooAdminPassword(page);
  await page.getByRole("button", { name: "Create instance" }).click();

  // Not /instances/new itself: the id of the instance page the form navigates to.
  await expect(page).toHaveURL(/\/instances\/(?!new$)[^/]+$/);
  const sourceId = instanceIdFrom(page);
  createdInstanceIds.push(sourceId);
  await expect(page.getByRole("heading", { name: "E2E Backed Up" })).toBeVisible();
  await expect(page.getByTestId("instance-status")).toHaveText("RUNNING", { timeout: 90_000 });

  // Back up now: the row appears at once and is polled until the worker has finished.
  const panel = page.getByTestId("backups-panel");
  await expect(panel.getByRole("heading", { name: "Backups" })).toBeVisible();
  await expect(panel.getByText("No backups yet.")).toBeVisible();
  const backupNow = panel.getByTestId("backup-now");
  await expect(backupNow).toBeEnabled();
  await backupNow.click();
  const rows = panel.getByTestId("backup-row");
  await expect(rows).toHaveCount(1);
  const row = rows.first();
  await expect(row).toHaveAttribute("data-status", "SUCCEEDED", { timeout: 120_000 });
  await expect(row).toContainText("Manual");
  await expect(row).not.toContainText("Partially stored");
  await expect(backupNow).toBeEnabled();

  // Download: Odoo's zip layout, named after the subdomain.
  const [download] = await Promise.all([page.waitForEvent("download"), row.getByTestId("backup-download").click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^${subdomain}_\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}\\.zip$`));
  const directory = await mkdtemp(path.join(os.tmpdir(), "e2e-backup-"));
  try {
    const zipPath = path.join(directory, download.suggestedFilename());
    await download.saveAs(zipPath);
    const names = await zipEntryNames(zipPath);
    expect(names).toContain("dump.sql");
    expect(names).toContain("manifest.json");
    expect(names.filter((name) => name.startsWith("filestore/")).length).toBeGreaterThanOrEqual(1);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }

  // Restore: "into a new instance" is the default; replacing this one needs the subdomain typed.
  await row.getByTestId("backup-restore").click();
  const restoreForm = page.getByRole("form", { name: /^Restore the backup of/ });
  await expect(restoreForm).toBeVisible();
  await expect(page.getByTestId("restore-target-new")).toBeChecked();
  const submit = page.getByTestId("restore-submit");

  await page.getByTestId("restore-target-in-place").check();
  await expect(restoreForm).toContainText("pre-restore backup");
  await expect(submit).toBeDisabled();
  await page.getByTestId("restore-confirm-subdomain").fill(`${subdomain}x`);
  await expect(submit).toBeDisabled();
  await page.getByTestId("restore-confirm-subdomain").fill(subdomain);
  await expect(submit).toBeEnabled();

  await page.getByTestId("restore-target-new").check();
  const restoredSubdomain = `e2e${randomLetters(10)}`;
  await page.getByTestId("restore-name").fill("E2E Restored");
  const subdomainField = page.getByTestId("restore-subdomain");
  await subdomainField.fill("A!");
  await submit.click();
  await expect(subdomainField).toHaveAttribute("aria-invalid", "true");
  await subdomainField.fill(restoredSubdomain);
  await expect(page.getByTestId("restore-subdomain-check")).toHaveText(`${restoredSubdomain} is available`);
  // No password typed: one is generated and shown once, with a copy button.
  await submit.click();
  await expect(page.getByTestId("generated-password-value")).toHaveText(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
  await expect(page.getByTestId("generated-password").getByRole("button", { name: "Copy" })).toBeVisible();
  await page.getByRole("button", { name: "I have kept it, continue" }).click();

  // The new instance provisions from the backup; the source stays as it was.
  await expect(page).toHaveURL(new RegExp(`/instances/(?!${sourceId}$)[^/]+$`));
  const restoredId = instanceIdFrom(page);
  createdInstanceIds.push(restoredId);
  await expect(page.getByRole("heading", { name: "E2E Restored" })).toBeVisible();
  // A new instance is a new subscription (the free trial is used): it starts once paid.
  await page.getByTestId("instance-billing-notice").getByRole("link", { name: "Go to billing" }).click();
  await payWithEcoCash(page);
  await page.goto(`/instances/${restoredId}`);
  await expect(page.getByTestId("instance-status")).toHaveText("RUNNING", { timeout: 180_000 });
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText("Backup restored into the new database");
  expect(await apiGetStatus(page, sourceId)).toBe(200);

  // Clean up: the restored instance through the UI, the source through the API.
  await page.getByRole("button", { name: "Delete instance" }).click();
  await page.getByLabel("Type the subdomain to confirm").fill(restoredSubdomain);
  await page.getByRole("button", { name: "Confirm delete" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  const removeSource = await page.request.post("/api/trpc/instances.delete", { data: { json: { id: sourceId } } });
  expect(removeSource.ok()).toBe(true);
  for (const id of [restoredId, sourceId]) {
    await expect.poll(() => apiGetStatus(page, id), { timeout: 90_000 }).toBe(404);
  }
  createdInstanceIds = [];
});
