/** Runs once when the web server boots: a bad environment stops it with the variable's name. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { assertEnvOrExit } = await import("./server/env-boot");
    assertEnvOrExit();
  }
}
