// Imported first by the worker, scripts and tests: reads .env into process.env when present.
// Variables already set in the environment win. (Next.js loads .env for the web by itself.)
import { existsSync } from "node:fs";

if (existsSync(".env")) process.loadEnvFile(".env");
