import { randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { AppError } from "@/server/errors";
import { readBodyWithin } from "@/server/http/route-input";
import { withLogContext } from "@/server/log-context";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";
import { createTRPCContext } from "@/server/trpc/init";
import { MAX_TRPC_BATCH, MAX_TRPC_BODY_BYTES } from "@/server/trpc/request-limits";
import { appRouter } from "@/server/trpc/root";

export const dynamic = "force-dynamic";

const ENDPOINT = "/api/trpc";

/** The procedure paths of a request ("a,b,c" when batched). */
function pathsOf(url: URL): string[] {
  const raw = url.pathname.startsWith(`${ENDPOINT}/`) ? url.pathname.slice(ENDPOINT.length + 1) : "";
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // tRPC answers a malformed path itself.
  }
  return url.searchParams.get("batch") === "1" ? decoded.split(",") : [decoded];
}

/**
 * An error answered before tRPC runs, in tRPC's own envelope (superjson, one entry per call of
 * a batch) so the client shows its message like any other error.
 */
function trpcErrorResponse(url: URL, code: TRPC_ERROR_CODE_KEY, httpStatus: number, message: string, requestId: string): Response {
  const paths = pathsOf(url);
  const envelope = (path: string) => ({
    error: superjson.serialize({
      message,
      code: TRPC_ERROR_CODES_BY_KEY[code],
      data: { code, httpStatus, path, fieldErrors: null, appCode: null },
    }),
  });
  const body = url.searchParams.get("batch") === "1" ? paths.map(envelope) : envelope(paths[0] ?? "");
  return Response.json(body, { status: httpStatus, headers: { "x-request-id": requestId } });
}

async function handler(req: Request): Promise<Response> {
  const requestId = req.headers.get("x-request-id") ?? randomUUID();
  const url = new URL(req.url);
  const calls = pathsOf(url).length;
  if (calls > MAX_TRPC_BATCH) {
    return trpcErrorResponse(url, "BAD_REQUEST", 400, `A batch may hold at most ${MAX_TRPC_BATCH} calls; this one has ${calls}.`, requestId);
  }
  let request = req;
  if (req.method !== "GET" && req.method !== "HEAD") {
    const body = await readBodyWithin(req, MAX_TRPC_BODY_BYTES);
    if (!body.ok) {
      return trpcErrorResponse(url, "PAYLOAD_TOO_LARGE", 413, `The request is too large: at most ${MAX_TRPC_BODY_BYTES / 1024} kB.`, requestId);
    }
    // tRPC reads the body from here; the original stream is consumed.
    request = new Request(req.url, { method: req.method, headers: req.headers, body: body.bytes, signal: req.signal });
  }
  return withLogContext({ requestId }, () =>
    fetchRequestHandler({
      endpoint: ENDPOINT,
      req: request,
      router: appRouter,
      maxBatchSize: MAX_TRPC_BATCH,
      createContext: () => createTRPCContext({ headers: req.headers, requestId }),
      responseMeta: ({ errors }) => {
        const headers = new Headers({ "x-request-id": requestId });
        // A throttle says when to come back (login-style lockouts, sign-ups per address).
        const retryAfter = errors
          .map((error) => (error.cause instanceof AppError ? error.cause.fieldErrors?.retryAfterSeconds?.[0] : undefined))
          .find((value) => value !== undefined);
        if (retryAfter) headers.set("retry-after", retryAfter);
        return { headers };
      },
    }),
  );
}

const measured = withHttpMetrics("/api/trpc", handler);

export { measured as GET, measured as POST };
