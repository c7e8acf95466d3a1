// The Kill Bill stand-in as a process (a TEST FIXTURE): `npx tsx testing/killbill-standin/main.ts`.
// Env: KILLBILL_STANDIN_PORT (default 0 = any free port), KILLBILL_STANDIN_HOST (127.0.0.1),
// KILLBILL_USERNAME, KILLBILL_PASSWORD, KILLBILL_API_KEY, KILLBILL_API_SECRET. Prints its URL on
// the first line of stdout, then one line per request and push; SIGINT/SIGTERM stop it.
import { startKillbillStandin } from "./killbill-standin.ts";

function portFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`KILLBILL_STANDIN_PORT must be a port number, got '${raw}'`);
  return port;
}

const env = process.env;
// Request and push lines only once the URL is out, so a parent process can read it from line 1.
let urlPrinted = false;
const standin = await startKillbillStandin({
  port: portFromEnv(env.KILLBILL_STANDIN_PORT),
  host: env.KILLBILL_STANDIN_HOST || undefined,
  username: env.KILLBILL_USERNAME || undefined,
  password: env.KILLBILL_PASSWORD || undefined,
  apiKey: env.KILLBILL_API_KEY || undefined,
  apiSecret: env.KILLBILL_API_SECRET || undefined,
  log: (line) => {
    if (urlPrinted) console.log(line);
  },
});
console.log(standin.url);
urlPrinted = true;
const stop = () => void standin.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
