import {
  expect,
  test,
  type APIRequestContext,
  type APIResponse,
  type Browser,
  type BrowserContext,
  type Page,
  type PlaywrightWorkerArgs,
} from "@playwright/test";
import { ADMIN_PROCEDURES, type AdminProcedurePath } from "./fixtures/admin-procedures";
import { logIn, signUp, uniqueEmail } from "./fixtures/accounts";
import { fillOdooAdminPassword } from "./fixtures/instances";

const PASSWORD = "E2e-Password-42!";
const NO_CAPACITY = "No database server has free capacity: add a server or raise a server's capacity.";

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the admin e2e tests need it`);
  return value;
}

const randomLetters = (length: number) =>
  Array.from({ length }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 26)]).join("");

// ── The tRPC HTTP API (superjson: inputs and results travel under "json") ─────────────────────

function trpcQuery(request: APIRequestContext, path: string, input?: unknown): Promise<APIResponse> {
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return request.get(`/api/trpc/${path}${search}`);
}

function trpcMutation(request: APIRequestContext, path: string, input: unknown): Promise<APIResponse> {
  return request.post(`/api/trpc/${path}`, { data: { json: input } });
}

async function resultOf<T>(response: APIResponse): Promise<T> {
  const body = await response.text();
  if (response.status() !== 200) throw new Error(`${response.url()} answered ${response.status()}: ${body}`);
  return (JSON.parse(body) as { result: { data: { json: T } } }).result.data.json;
}

/** A request context logged in through the credentials endpoint (as e2e/session-revocation does). */
async function apiLogIn(request: APIRequestContext, email: string, password: string): Promise<void> {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const login = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password },
    headers: { "X-Auth-Return-Redirect": "1" },
  });
  expect(login.status()).toBe(200);
  const me = await trpcQuery(request, "auth.me");
  expect(me.status(), `logged in as ${email}`).toBe(200);
}

type ApiInstance = { id: string; status: string; dbServer: { id: string; name: string } | null };
type ApiDbServer = { id: string; name: string; status: "ACTIVE" | "DRAINING" | "DISABLED" };

/** The instance's status as the admin API sees it; "GONE" when it is not listed at all. */
async function adminInstanceStatus(admin: APIRequestContext, id: string): Promise<string> {
  const live = await resultOf<ApiInstance[]>(await trpcQuery(admin, "admin.instances.list", {}));
  const found = live.find((instance) => instance.id === id);
  if (found) return found.status;
  const deleted = await resultOf<ApiInstance[]>(await trpcQuery(admin, "admin.instances.list", { status: "DELETED" }));
  return deleted.some((instance) => instance.id === id) ? "DELETED" : "GONE";
}

/** Deletes an instance through the admin API (best effort) and waits until it is DELETED or gone. */
async function deleteInstanceAndWait(admin: APIRequestContext, id: string): Promise<void> {
  const status = await adminInstanceStatus(admin, id);
  if (status === "DELETED" || status === "GONE") return;
  if (status !== "DELETING") await trpcMutation(admin, "admin.instances.action", { id, action: "delete" });
  await expect
    .poll(() => adminInstanceStatus(admin, id), { timeout: 120_000, intervals: [1_000, 2_000] })
    .toMatch(/^(DELETED|GONE)$/);
}

// ── Per-test resources, released in afterEach whatever happened ───────────────────────────────

type Cleanup = {
  contexts: BrowserContext[];
  requests: APIRequestContext[];
  admin?: APIRequestContext;
  instanceIds: string[];
  /** Servers this test took out of service (restored to ACTIVE) or added (set to DISABLED). */
  reactivateServerIds: string[];
  disableServerIds: string[];
};
let cleanup: Cleanup;

test.beforeEach(() => {
  cleanup = { contexts: [], requests: [], instanceIds: [], reactivateServerIds: [], disableServerIds: [] };
});

test.afterEach(async ({ playwright, baseURL }) => {
  const problems: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (cleanup.instanceIds.length || cleanup.reactivateServerIds.length || cleanup.disableServerIds.length) {
    let admin = cleanup.admin;
    if (!admin) {
      admin = await playwright.request.newContext({ baseURL });
      cleanup.requests.push(admin);
      await attempt("admin login", () => apiLogIn(admin!, requiredEnv("ADMIN_EMAIL"), requiredEnv("ADMIN_PASSWORD")));
    }
    for (const id of cleanup.instanceIds) await attempt(`delete instance ${id}`, () => deleteInstanceAndWait(admin!, id));
    for (const id of cleanup.disableServerIds) {
      await attempt(`disable server ${id}`, async () =>
        resultOf(await trpcMutation(admin!, "admin.dbServers.setStatus", { id, status: "DISABLED" })),
      );
    }
    for (const id of cleanup.reactivateServerIds) {
      await attempt(`reactivate server ${id}`, async () =>
        resultOf(await trpcMutation(admin!, "admin.dbServers.setStatus", { id, status: "ACTIVE" })),
      );
    }
  }
  for (const context of cleanup.contexts) await context.close().catch(() => undefined);
  for (const request of cleanup.requests) await request.dispose().catch(() => undefined);
  // The next spec files need a clean platform: a failed cleanup fails the test.
  expect(problems, "cleanup").toEqual([]);
});

// ── UI helpers ────────────────────────────────────────────────────────────────────────────────

async function newPage(browser: Browser, baseURL: string | undefined): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  cleanup.contexts.push(context);
  return context.newPage();
}

async function adminApi(playwright: PlaywrightWorkerArgs["playwright"], baseURL: string | undefined) {
  const admin = await playwright.request.newContext({ baseURL });
  cleanup.requests.push(admin);
  await apiLogIn(admin, requiredEnv("ADMIN_EMAIL"), requiredEnv("ADMIN_PASSWORD"));
  cleanup.admin = admin;
  return admin;
}

/** Creates an instance through the customer's form, like e2e/instances.spec.ts; registers it for cleanup. */
async function createInstanceThroughUi(page: Page, name: string): Promise<{ id: string; subdomain: string }> {
  await page.goto("/instances/new");
  const subdomain = `e2e${randomLetters(10)}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Subdomain", { exact: true }).fill(subdomain);
  await expect(page.getByTestId("subdomain-check")).toHaveText(`${subdomain} is available`);
  await fillOdooAdminPassword(page);
  await page.getByRole("button", { name: "Create instance" }).click();
  await page.waitForURL((url) => /^\/instances\/(?!new$)[^/]+$/.test(url.pathname));
  const id = new URL(page.url()).pathname.split("/").pop()!;
  cleanup.instanceIds.push(id);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  return { id, subdomain };
}

const instanceRow = (page: Page, id: string) => page.locator(`[data-testid="admin-instance-row"][data-instance-id="${id}"]`);

// ── Tests ─────────────────────────────────────────────────────────────────────────────────────

test("the admin finds a customer, suspends them (instances stopped, login refused) and unsuspends them", async ({
  browser,
  playwright,
  baseURL,
}) => {
  test.setTimeout(360_000);
  const adminRequest = await adminApi(playwright, baseURL);

  // A customer with a running instance.
  const email = uniqueEmail("suspend");
  const customer = await newPage(browser, baseURL);
  await signUp(customer, { name: "Suspendable Customer", email, password: PASSWORD });
  const instance = await createInstanceThroughUi(customer, "Suspend Shop");
  await expect(customer.getByTestId("instance-status")).toHaveText("RUNNING", { timeout: 120_000 });

  // The admin, in another browser context, finds them by email.
  const admin = await newPage(browser, baseURL);
  await logIn(admin, requiredEnv("ADMIN_EMAIL"), requiredEnv("ADMIN_PASSWORD"));
  await admin.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(admin).toHaveURL(/\/admin$/);
  await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Customers" }).click();
  await expect(admin).toHaveURL(/\/admin\/customers$/);
  await admin.getByLabel("Search customers").fill(email.toUpperCase());
  await admin.getByRole("button", { name: "Search", exact: true }).click();
  await expect(admin).toHaveURL(/\/admin\/customers\?query=/);
  const customerRows = admin.getByTestId("customer-row");
  await expect(customerRows).toHaveCount(1);
  await customerRows.getByRole("link", { name: email }).click();
  await expect(admin).toHaveURL(/\/admin\/customers\/[^/?]+$/);
  await expect(admin.getByRole("heading", { name: "Suspendable Customer" })).toBeVisible();
  await expect(admin.getByTestId("customer-account-status")).toHaveText("Active");
  await expect(admin.getByTestId("customer-active-sessions")).not.toHaveText("0");
  const row = instanceRow(admin, instance.id);
  await expect(row.getByTestId("instance-status")).toHaveText("RUNNING");

  // Suspend: sessions end, the instance is stopped as SUSPENDED.
  await admin.getByRole("button", { name: "Suspend", exact: true }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Account suspended" })).toHaveText(
    /Account suspended: [1-9]\d* sessions? ended and 1 instance suspended\./,
  );
  await expect(admin.getByTestId("customer-account-status")).toHaveText("Suspended");
  await expect(admin.getByTestId("customer-active-sessions")).toHaveText("0");
  await expect(row.getByTestId("instance-status")).toHaveAttribute("data-status", "SUSPENDED", { timeout: 60_000 });
  await expect(row.getByTestId("instance-status")).toHaveText("Suspended");
  expect(await adminInstanceStatus(adminRequest, instance.id)).toBe("SUSPENDED");

  // The customer's next page load lands on the login page, and logging in is refused.
  await customer.goto("/dashboard");
  await expect(customer).toHaveURL(/\/login(\?|$)/);
  await customer.getByLabel("Email").fill(email);
  await customer.getByLabel("Password").fill(PASSWORD);
  await customer.getByRole("button", { name: "Log in" }).click();
  await expect(customer.getByText("Your account is suspended. Contact support.")).toBeVisible();
  await expect(customer).toHaveURL(/\/login(\?|$)/);

  // Unsuspend: the instance runs again and the customer can log in.
  await admin.getByRole("button", { name: "Unsuspend", exact: true }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Account reactivated" })).toContainText("1 instance starting again");
  await expect(admin.getByTestId("customer-account-status")).toHaveText("Active");
  await expect(row.getByTestId("instance-status")).toHaveText("RUNNING", { timeout: 120_000 });
  await logIn(customer, email, PASSWORD);
  await expect(
    customer.locator(`[data-testid="instance-row"][data-instance-id="${instance.id}"]`).getByTestId("instance-status"),
  ).toHaveText("RUNNING");

  // The admin deletes the instance from the instances page (found by its subdomain).
  await row.getByRole("link", { name: "Suspend Shop" }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/instances\\?query=${instance.subdomain}$`));
  const listed = instanceRow(admin, instance.id);
  await expect(listed.getByTestId("instance-status")).toHaveText("RUNNING");
  await listed.getByRole("button", { name: /^Delete/ }).click();
  await listed.getByRole("button", { name: /^Confirm delete/ }).click();
  await expect(listed).toHaveCount(0, { timeout: 120_000 });
  await expect.poll(() => adminInstanceStatus(adminRequest, instance.id), { timeout: 30_000 }).toMatch(/^(DELETED|GONE)$/);
});

test("no database capacity fails provisioning visibly; a new server and a retry of the failed job fix it", async ({
  browser,
  playwright,
  baseURL,
}) => {
  test.setTimeout(360_000);
  const adminRequest = await adminApi(playwright, baseURL);
  const servers = await resultOf<ApiDbServer[]>(await trpcQuery(adminRequest, "admin.dbServers.list"));
  const active = servers.filter((server) => server.status === "ACTIVE");
  expect(active.length, "an ACTIVE database server to start from").toBeGreaterThan(0);
  cleanup.reactivateServerIds.push(...active.map((server) => server.id));

  // The admin drains every ACTIVE server.
  const admin = await newPage(browser, baseURL);
  await logIn(admin, requiredEnv("ADMIN_EMAIL"), requiredEnv("ADMIN_PASSWORD"));
  await admin.goto("/admin/db-servers");
  for (const server of active) {
    const serverRow = admin.locator(`[data-testid="db-server-row"][data-server-id="${server.id}"]`);
    await expect(serverRow.getByTestId("db-server-status")).toHaveText("ACTIVE");
    await serverRow.getByRole("button", { name: /^Drain/ }).click();
    await expect(serverRow.getByTestId("db-server-status")).toHaveText("DRAINING");
  }

  // A customer's new instance finds no capacity.
  const customer = await newPage(browser, baseURL);
  await signUp(customer, { name: "Waiting Customer", email: uniqueEmail("capacity"), password: PASSWORD });
  const instance = await createInstanceThroughUi(customer, "Capacity Shop");
  await expect(customer.getByTestId("instance-status")).toHaveText("ERROR", { timeout: 60_000 });
  await expect(customer.getByTestId("instance-status-message")).toHaveText(NO_CAPACITY);

  // The failed provisioning job is kept, with its reason.
  await admin.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Queues" }).click();
  await expect(admin).toHaveURL(/\/admin\/queues$/);
  const job = admin.getByTestId("failed-job").filter({ hasText: instance.id });
  await expect(job).toHaveCount(1, { timeout: 30_000 });
  await expect(job.getByTestId("failed-job-name")).toHaveText("provision-instance");
  await expect(job.getByTestId("failed-job-reason")).toHaveText(NO_CAPACITY);
  await expect(admin.locator('[data-testid="queue-row"][data-queue="instances"]').getByTestId("queue-failed")).not.toHaveText("0");

  // The admin adds a server: a wrong password is refused on the form, the right one is saved.
  await admin.goto("/admin/db-servers");
  const form = admin.getByRole("form", { name: "Add database server" });
  const serverName = `e2e-${randomLetters(8)}`;
  await form.getByLabel("Name", { exact: true }).fill(serverName);
  await form.getByLabel("Capacity (max instances)").fill("5");
  await form.getByLabel("Host", { exact: true }).fill(requiredEnv("POOL_DB_HOST"));
  await form.getByLabel("Container host", { exact: true }).fill(requiredEnv("POOL_DB_CONTAINER_HOST"));
  await form.getByLabel("Port", { exact: true }).fill(requiredEnv("POOL_DB_PORT"));
  await form.getByLabel("Manager user", { exact: true }).fill(requiredEnv("POOL_DB_MANAGER_USER"));
  await form.getByLabel("Manager password", { exact: true }).fill(`${requiredEnv("POOL_DB_MANAGER_PASSWORD")}-wrong`);
  await form.getByRole("button", { name: "Add database server" }).click();
  await expect(form.getByLabel("Host", { exact: true })).toHaveAttribute("aria-invalid", "true", { timeout: 30_000 });
  await expect(form.getByLabel("Host", { exact: true })).toHaveAccessibleDescription(/^Could not connect/);
  await expect(admin.locator(`[data-testid="db-server-row"][data-server-name="${serverName}"]`)).toHaveCount(0);

  await form.getByLabel("Manager password", { exact: true }).fill(requiredEnv("POOL_DB_MANAGER_PASSWORD"));
  await form.getByRole("button", { name: "Add database server" }).click();
  await expect(form.getByRole("status")).toContainText(`Database server ${serverName} added`, { timeout: 30_000 });
  const newRow = admin.locator(`[data-testid="db-server-row"][data-server-name="${serverName}"]`);
  await expect(newRow).toHaveCount(1);
  const newServerId = await newRow.getAttribute("data-server-id");
  expect(newServerId).toBeTruthy();
  cleanup.disableServerIds.push(newServerId!);
  await expect(newRow.getByTestId("db-server-status")).toHaveText("ACTIVE");
  await expect(newRow.getByTestId("db-server-usage")).toHaveText("0 / 5");

  // Retrying the failed job provisions the instance on the new server.
  await admin.goto("/admin/queues");
  await job.getByRole("button", { name: /^Retry/ }).click();
  await expect(job).toHaveCount(0, { timeout: 30_000 });
  await admin.goto(`/admin/instances?query=${instance.subdomain}`);
  const row = instanceRow(admin, instance.id);
  await expect(row.getByTestId("instance-status")).toHaveText("RUNNING", { timeout: 150_000 });
  await expect(row.getByTestId("instance-db-server")).toHaveText(serverName);
  await expect(customer.getByTestId("instance-status")).toHaveText("RUNNING", { timeout: 30_000 });
});

/** An input each admin procedure would accept, aimed at ids that exist nowhere or at the caller itself. */
function sampleInput(path: AdminProcedurePath, selfId: string): unknown {
  const missing = "e2e-missing-id";
  const inputs: Record<AdminProcedurePath, unknown> = {
    "admin.overview": undefined,
    "admin.customers.search": { query: "e2e" },
    "admin.customers.get": { id: selfId },
    "admin.customers.suspend": { id: selfId },
    "admin.customers.unsuspend": { id: selfId },
    "admin.customers.revokeSessions": { id: selfId },
    "admin.instances.list": {},
    "admin.instances.action": { id: missing, action: "stop" },
    "admin.instances.retryProvisioning": { id: missing },
    "admin.instances.moveToStatus": { id: missing, status: "STOPPED", reason: "e2e: must be refused" },
    "admin.instances.resetOdooPassword": { id: missing, password: "E2e-Refused-Pass-1!" },
    "admin.dbServers.list": undefined,
    "admin.dbServers.add": {
      name: `e2e-refused-${randomLetters(6)}`,
      host: "127.0.0.1",
      containerHost: "127.0.0.1",
      port: 1,
      managerUser: "e2e_refused",
      managerPassword: "not-a-real-password",
      maxInstances: 1,
    },
    "admin.dbServers.setCapacity": { id: missing, maxInstances: 1 },
    "admin.dbServers.setStatus": { id: missing, status: "DISABLED" },
    "admin.dbServers.isolation": { id: missing },
    "admin.dbServers.fixIsolation": { id: missing },
    "admin.queues.list": undefined,
    "admin.queues.failed": { queue: "instances" },
    "admin.queues.retry": { queue: "instances", jobId: missing },
    "admin.queues.remove": { queue: "instances", jobId: missing },
    "admin.billingEvents.list": { take: 5 },
    "admin.billingEvents.replay": { id: missing },
    "admin.audit.list": { query: "e2e", limit: 5 },
  };
  return inputs[path];
}

function callProcedure(request: APIRequestContext, procedure: (typeof ADMIN_PROCEDURES)[number], input: unknown) {
  return procedure.type === "query"
    ? trpcQuery(request, procedure.path, input)
    : trpcMutation(request, procedure.path, input ?? {});
}

test("a customer is refused every admin procedure with 403, a signed-out caller with 401", async ({ playwright, baseURL }) => {
  const email = uniqueEmail("not-admin");
  const customer = await playwright.request.newContext({ baseURL });
  cleanup.requests.push(customer);
  const register = await trpcMutation(customer, "auth.register", { name: "Not An Admin", email, password: PASSWORD });
  expect(register.status()).toBe(200);
  await apiLogIn(customer, email, PASSWORD);
  const me = await resultOf<{ id: string; role: string }>(await trpcQuery(customer, "auth.me"));
  expect(me.role).toBe("CUSTOMER");

  expect(ADMIN_PROCEDURES.length).toBeGreaterThan(0);
  for (const procedure of ADMIN_PROCEDURES) {
    const response = await callProcedure(customer, procedure, sampleInput(procedure.path, me.id));
    const label = `${procedure.type === "query" ? "GET" : "POST"} ${procedure.path} as a customer`;
    expect.soft(response.status(), label).toBe(403);
    expect.soft(((await response.json()) as { error?: { json?: { data?: { code?: string } } } }).error?.json?.data?.code, label).toBe(
      "FORBIDDEN",
    );
  }
  // The refused suspend and revoke did nothing: the customer is still signed in and not suspended.
  const after = await trpcQuery(customer, "auth.me");
  expect(after.status(), "the customer's session survived the refused calls").toBe(200);

  const anonymous = await playwright.request.newContext({ baseURL });
  cleanup.requests.push(anonymous);
  for (const procedure of ADMIN_PROCEDURES) {
    const response = await callProcedure(anonymous, procedure, sampleInput(procedure.path, me.id));
    expect.soft(response.status(), `${procedure.path} signed out`).toBe(401);
  }
});
