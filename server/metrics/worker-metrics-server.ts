import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { logger } from "../logger";
import { checkMetricsToken } from "./check-metrics-token";
import { platformMetrics, renderMetrics, type MetricsSources } from "./registry";

/** The worker owns the job counters and reads the queues; instances by status come from the web. */
const WORKER_SOURCES: MetricsSources = { queues: true };

export type WorkerMetricsServer = { port: number; close: () => Promise<void> };

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers });
  response.end(body);
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? "/", "http://worker").pathname;
  if (request.method !== "GET" || path !== "/metrics") return send(response, 404, "not found\n");
  if (!checkMetricsToken(request.headers.authorization)) {
    return send(response, 401, "unauthorized\n", { "WWW-Authenticate": "Bearer" });
  }
  const body = await renderMetrics(WORKER_SOURCES);
  send(response, 200, body, { "Content-Type": platformMetrics().registry.contentType });
}

/**
 * The worker's own `GET /metrics` (same bearer token as the web's /api/metrics). Resolves once
 * listening; rejects when the port cannot be bound. `port` 0 picks a free port.
 */
export function startWorkerMetricsServer(port: number, host?: string): Promise<WorkerMetricsServer> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, "worker metrics request failed");
      if (!response.headersSent) send(response, 500, "internal error\n");
      else response.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      server.on("error", (error) => logger.error({ err: error }, "worker metrics server error"));
      const bound = (server.address() as AddressInfo).port;
      logger.info({ port: bound }, "worker metrics listening on /metrics");
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
