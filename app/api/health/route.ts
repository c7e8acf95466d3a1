import { resolveActor } from "@/server/auth/resolve-actor";
import { checkHealth, toPublicHealth } from "@/server/health/check-health";
import { checkMetricsToken } from "@/server/metrics/check-metrics-token";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";

export const dynamic = "force-dynamic";

/** Versions, latencies, errors and the worker's heartbeat: for admins and the metrics scraper only. */
async function mayReadDetails(request: Request | undefined): Promise<boolean> {
  if (!request) return false;
  if (checkMetricsToken(request.headers.get("authorization"))) return true;
  // The session lives in PostgreSQL: with it down the answer is the public one, never a 500.
  const actor = await resolveActor(request.headers).catch(() => null);
  return actor?.role === "ADMIN";
}

/**
 * Liveness of the platform's dependencies: 200 when all are up, 503 naming what is down. The
 * public answer is up/down per dependency; a signed-in admin or `Authorization: Bearer
 * <METRICS_TOKEN>` gets the full report.
 */
export const GET = withHttpMetrics("/api/health", async (request?: Request): Promise<Response> => {
  const [report, details] = await Promise.all([checkHealth(), mayReadDetails(request)]);
  return Response.json(details ? report : toPublicHealth(report), {
    status: report.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store", Vary: "Authorization, Cookie" },
  });
});
