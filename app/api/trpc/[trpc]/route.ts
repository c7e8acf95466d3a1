import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";
import { createTRPCContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

export const dynamic = "force-dynamic";

function handler(req: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
  });
}

const measured = withHttpMetrics("/api/trpc", handler);

export { measured as GET, measured as POST };
