import { expect, test } from "@playwright/test";
import { lastMailTo, logIn, signUp, uniqueEmail } from "./fixtures/accounts";

const PASSWORD = "E2e-Password-42!";

test("sign up through the form with a live password checklist, log out, log in", async ({ page }) => {
  const email = uniqueEmail("signup");
  await page.goto("/signup");
  const rule = (id: string) => page.locator(`[data-rule="${id}"]`);
  await expect(rule("length")).toHaveAttribute("data-ok", "false");

  const password = page.getByLabel("Password", { exact: true });
  await password.fill("abc");
  await expect(rule("lower")).toHaveAttribute("data-ok", "true");
  await expect(rule("upper")).toHaveAttribute("data-ok", "false");
  await password.fill("abcD");
  await expect(rule("upper")).toHaveAttribute("data-ok", "true");
  await expect(rule("digit")).toHaveAttribute("data-ok", "false");
  await password.fill("abcD4");
  await expect(rule("digit")).toHaveAttribute("data-ok", "true");
  await password.fill("abcD4!");
  await expect(rule("special")).toHaveAttribute("data-ok", "true");
  await expect(rule("length")).toHaveAttribute("data-ok", "false");

  // The server refuses what the checklist does not tick, naming the field.
  await page.getByLabel("Name").fill("Erin Example");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Password needs: at least 10 characters")).toBeVisible();
  await expect(page).toHaveURL(/\/signup$/);

  await password.fill(PASSWORD);
  await expect(rule("length")).toHaveAttribute("data-ok", "true");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Welcome, Erin Example" })).toBeVisible();

  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login$/);

  await logIn(page, email.toUpperCase(), PASSWORD);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Erin Example");
});

test("a duplicate email gets a field error on the form", async ({ page }) => {
  const email = uniqueEmail("dup");
  await signUp(page, { name: "First", email, password: PASSWORD });
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/signup");
  await page.getByLabel("Name").fill("Second");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("An account with this email already exists").first()).toBeVisible();
});

test("a customer opening /admin is sent away; the seeded admin can open it", async ({ page }) => {
  await signUp(page, { name: "Curious Customer", email: uniqueEmail("customer"), password: PASSWORD });
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);

  const adminEmail = process.env.ADMIN_EMAIL;
  const adminPassword = process.env.ADMIN_PASSWORD;
  if (!adminEmail || !adminPassword) throw new Error("ADMIN_EMAIL and ADMIN_PASSWORD must be set for e2e");
  await logIn(page, adminEmail, adminPassword);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { name: "Admin overview" })).toBeVisible();
  await expect(page.getByTestId("admin-customers")).toHaveText(/^\d+$/);
});

test("the login form refuses further attempts after 5 failures, naming a retry time", async ({ page }) => {
  const email = uniqueEmail("locked");
  await signUp(page, { name: "Locked Out", email, password: PASSWORD });
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("Wrong-Password-1!");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByText("Invalid email or password.")).toBeVisible();
  }
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("Too many failed attempts. Try again in 15 minutes.")).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

test("password reset by mail: the link works once", async ({ page }) => {
  const email = uniqueEmail("reset");
  await signUp(page, { name: "Forgetful", email, password: PASSWORD });
  await page.getByRole("button", { name: "Log out", exact: true }).click();

  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText(`If an account exists for ${email}`)).toBeVisible();

  const link = lastMailTo(email)?.text.match(/https?:\/\/\S+reset-password\?token=\S+/)?.[0];
  expect(link, "reset mail in the outbox").toBeTruthy();
  const newPassword = "Reset-Password-77!";
  await page.goto(link!);
  await page.getByLabel("New password").fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("Your password has been changed")).toBeVisible();

  await page.goto(link!);
  await page.getByLabel("New password").fill("Another-Password-88!");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("This reset link is not valid any more")).toBeVisible();

  await logIn(page, email, newPassword);
});

test("bad input to the API gets 400 with the fields named, never 500: empty fields, a 10 kB email, malformed JSON", async ({ request }) => {
  const register = (body: string) => request.post("/api/trpc/auth.register", { headers: { "Content-Type": "application/json" }, data: body });
  const fieldErrorsOf = async (response: Awaited<ReturnType<typeof register>>) =>
    ((await response.json()) as { error: { json: { data: { fieldErrors: Record<string, string[]> | null } } } }).error.json.data.fieldErrors ?? {};

  const empty = await register(JSON.stringify({ json: { name: "", email: "", password: "" } }));
  expect(empty.status()).toBe(400);
  expect(Object.keys(await fieldErrorsOf(empty))).toEqual(expect.arrayContaining(["name", "email", "password"]));

  const huge = await register(JSON.stringify({ json: { name: "Huge", email: `${"a".repeat(10_240)}@example.com`, password: "Valid-Password-1!" } }));
  expect(huge.status()).toBe(400);
  expect(Object.keys(await fieldErrorsOf(huge))).toContain("email");

  for (const body of ["{not json", "", "[]", JSON.stringify({ json: null })]) {
    const response = await register(body);
    expect(response.status(), `body ${JSON.stringify(body)}`).toBe(400);
  }
  // A protected procedure: refused as unreadable or as unauthenticated, never a server error.
  const pay = await request.post("/api/trpc/billing.pay", { headers: { "Content-Type": "application/json" }, data: "{not json" });
  expect([400, 401]).toContain(pay.status());
});
