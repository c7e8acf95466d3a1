import { checkHealth } from "@/server/health/check-health";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";

export const dynamic = "force-dynamic";

/** Liveness of the platform's dependencies: 200 when all are up, 503 naming what is down. */
export const GET = withHttpMetrics("/api/health", async (): Promise<Response> => {
  const report = await checkHealth();
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
});
