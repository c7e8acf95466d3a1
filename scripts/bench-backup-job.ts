/**
 * Child process of `npm run bench:backup`: runs one backup job exactly as the worker does
 * (runBackup), then prints its own peak RSS. Kept separate so the figure is the job's alone.
 */
import "../server/load-dotenv";
import { runBackup } from "../server/domain/backups/run-backup";

async function main(): Promise<void> {
  const backupId = process.argv[2];
  if (!backupId) throw new Error("usage: bench-backup-job <backupId>");
  // What the process holds before the job (Node, tsx, Prisma): the job's own share is the rest.
  const baselineRssKb = Math.round(process.memoryUsage().rss / 1024);
  const started = performance.now();
  const result = await runBackup(backupId);
  const ms = performance.now() - started;
  console.log(JSON.stringify({ result: "bench-backup-job", status: result.status, ms, baselineRssKb, maxRssKb: process.resourceUsage().maxRSS }));
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
