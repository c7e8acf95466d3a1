// CLI for the Paynow stand-in (TEST FIXTURE): `npx tsx testing/paynow-standin/main.ts`.
// Started by Playwright's webServer for e2e; prints its URL and runs until SIGTERM/SIGINT.
import { z } from "zod";
import { startPaynowStandin } from "./paynow-standin.ts";

const ZStandinEnv = z.object({
  PAYNOW_STANDIN_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  PAYNOW_STANDIN_HOST: z.string().min(1).default("127.0.0.1"),
  PAYNOW_INTEGRATION_ID: z.string().regex(/^\d+$/, { message: "must be the numeric integration id" }),
  PAYNOW_INTEGRATION_KEY: z.string().min(1),
  PAYNOW_AUTH_EMAIL: z.email().optional(),
  PAYNOW_STANDIN_TIME_SCALE: z.coerce.number().min(0).default(1),
});

function readEnv(): z.infer<typeof ZStandinEnv> {
  // Empty variables count as unset.
  const raw = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  const parsed = ZStandinEnv.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) console.error(`paynow-standin: ${issue.path.join(".")} ${issue.message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const env = readEnv();
  const standin = await startPaynowStandin({
    port: env.PAYNOW_STANDIN_PORT,
    host: env.PAYNOW_STANDIN_HOST,
    integrationId: env.PAYNOW_INTEGRATION_ID,
    integrationKey: env.PAYNOW_INTEGRATION_KEY,
    merchantEmail: env.PAYNOW_AUTH_EMAIL,
    timeScale: env.PAYNOW_STANDIN_TIME_SCALE,
    log: (line) => console.log(`paynow-standin: ${line}`),
  });
  console.log(`paynow-standin: listening on ${standin.url}`);
  const stop = (signal: NodeJS.Signals): void => {
    console.log(`paynow-standin: ${signal}, closing`);
    standin.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("paynow-standin: close failed", error);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error("paynow-standin: failed to start", error);
  process.exit(1);
});
