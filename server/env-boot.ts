import { env, EnvError } from "./env";

/** For process entry points (web boot, worker): print which variables are wrong and exit 1. */
export function assertEnvOrExit(): void {
  try {
    env();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
