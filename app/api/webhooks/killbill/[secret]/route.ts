import { receiveKillbillNotification, secretMatches } from "@/server/domain/billing/killbill-notifications";
import { env } from "@/server/env";
import { AppError, HTTP_STATUS } from "@/server/errors";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Kill Bill's push notifications. Stores the event and answers 200 at once (Kill Bill calls
 * inline from its bus and retries on anything but 2xx); the worker does the work.
 */
export const POST = withHttpMetrics(
  "/api/webhooks/killbill/[secret]",
  async (request: Request, context: { params: Promise<{ secret: string }> }): Promise<Response> => {
    const { secret } = await context.params;
    // Nothing is read for a wrong secret, nor a body announced larger than a notification can be.
    if (!secretMatches(secret, env().KILLBILL_WEBHOOK_SECRET)) return Response.json({ error: "Not found." }, { status: 404 });
    if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return Response.json({ error: "Body too large." }, { status: 413 });
    const body = await request.text();
    if (body.length > MAX_BODY_BYTES) return Response.json({ error: "Body too large." }, { status: 413 });
    try {
      const stored = await receiveKillbillNotification(secret, body);
      return Response.json({ ok: true, duplicate: stored.duplicate });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const status = HTTP_STATUS[error.code];
      return Response.json(status === 404 ? { error: "Not found." } : { error: error.message, fieldErrors: error.fieldErrors }, { status });
    }
  },
);
