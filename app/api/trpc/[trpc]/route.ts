import { randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { withLogContext } from "@/server/log-context";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";
import { createTRPCContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

export const dynamic = "force-dynamic";

function handler(req: Request): Promise<Response> {
  const requestId = req.headers.get("x-request-id") ?? randomUUID();
  return withLogContext({ requestId }, () =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: () => createTRPCContext({ headers: req.headers, requestId }),
      responseMeta: () => ({ headers: new Headers({ "x-request-id": requestId }) }),
    }),
  );
}

const measured = withHttpMetrics("/api/trpc", handler);

export { measured as GET, measured as POST };
