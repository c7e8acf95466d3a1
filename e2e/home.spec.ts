import { expect, test } from "@playwright/test";

test("the home page loads and shows live platform status through tRPC", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Hosted Odoo, ready in a minute");
  await expect(page.getByTestId("platform-status")).toHaveText("All systems operational");
});
