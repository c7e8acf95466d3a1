import { checkMetricsToken } from "@/server/metrics/check-metrics-token";
import { countInstancesByStatus } from "@/server/domain/instances/count-instances-by-status";
import { platformMetrics, renderMetrics, type MetricsSources } from "@/server/metrics/registry";

export const dynamic = "force-dynamic";

/** The web reads instances by status from the database and the queue backlog from Redis. */
const WEB_SOURCES: MetricsSources = { instances: countInstancesByStatus, queues: true };

/** Prometheus scrape endpoint; `Authorization: Bearer <METRICS_TOKEN>`. */
export async function GET(request: Request): Promise<Response> {
  if (!checkMetricsToken(request.headers.get("authorization"))) {
    return new Response("unauthorized\n", {
      status: 401,
      headers: { "WWW-Authenticate": "Bearer", "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const body = await renderMetrics(WEB_SOURCES);
  return new Response(body, {
    status: 200,
    headers: { "Content-Type": platformMetrics().registry.contentType, "Cache-Control": "no-store" },
  });
}
