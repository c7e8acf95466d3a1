import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.PORT ?? 3100);
const baseURL = `http://localhost:${port}`;
const paynowPort = Number(process.env.PAYNOW_STANDIN_PORT ?? 3190);

/**
 * e2e against the built app and the real worker (scripts/run.sh), started by scripts/test.sh's
 * environment: the test database, the Odoo test image, port 3100.
 */
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: [
    {
      command: "bash scripts/run.sh",
      url: `${baseURL}/api/health`,
      // Every browser of the suite signs up from 127.0.0.1: the per-address sign-up limit (tested
      // at its default in the integration suite) would otherwise cap the number of e2e accounts.
      // RUN_LOG_FILE: a copy of the web and worker logs, which npm test searches for secrets.
      env: { ...(process.env as Record<string, string>), SIGNUP_LIMIT_PER_IP_HOUR: "1000", RUN_LOG_FILE: ".test-reports/e2e-server.log" },
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    },
    {
      // Paynow's protocol stand-in (a test fixture): the app's PAYNOW_URL points here in tests.
      // EcoCash test numbers answer 5x faster than Paynow's test mode.
      command: "node_modules/.bin/tsx testing/paynow-standin/main.ts",
      url: `http://127.0.0.1:${paynowPort}/`,
      env: { ...(process.env as Record<string, string>), PAYNOW_STANDIN_TIME_SCALE: "0.2" },
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
  ],
});
