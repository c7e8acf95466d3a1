import { platformMetrics } from "./registry";

/**
 * Wraps a route handler to record `saas_http_request_duration_seconds` under the route's
 * template (never the raw path, so ids and query strings cannot blow up the label set). A
 * handler that throws is recorded as status 500 and the error is rethrown to Next.
 */
export function withHttpMetrics<A extends unknown[]>(
  route: string,
  handler: (...args: A) => Promise<Response>,
): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    const request = args[0] instanceof Request ? args[0] : undefined;
    const end = platformMetrics().httpDuration.startTimer({ route, method: request?.method ?? "GET" });
    try {
      const response = await handler(...args);
      end({ status: String(response.status) });
      return response;
    } catch (error) {
      end({ status: "500" });
      throw error;
    }
  };
}
