import { receiveKillbillNotification, secretMatches } from "@/server/domain/billing/killbill-notifications";
import { env } from "@/server/env";
import { AppError, HTTP_STATUS } from "@/server/errors";
import { readTextWithin, refuseNul } from "@/server/http/route-input";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 64 * 1024;

/** The body's JSON fields ({ accountId: … }) to look for an escaped NUL (\u0000); {} when not JSON (the domain says so). */
function parsedJson(body: string): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(body);
    return json !== null && typeof json === "object" ? { ...(json as Record<string, unknown>) } : { body: json };
  } catch {
    return {};
  }
}

/**
 * Kill Bill's push notifications. Stores the event and answers 200 at once (Kill Bill calls
 * inline from its bus and retries on anything but 2xx); the worker does the work.
 */
export const POST = withHttpMetrics(
  "/api/webhooks/killbill/[secret]",
  async (request: Request, context: { params: Promise<{ secret: string }> }): Promise<Response> => {
    const { secret } = await context.params;
    // Nothing is read for a wrong secret (one holding a NUL is wrong too: 404 like any other),
    // nor a body announced larger than a notification can be.
    if (!secretMatches(secret, env().KILLBILL_WEBHOOK_SECRET)) return Response.json({ error: "Not found." }, { status: 404 });
    const read = await readTextWithin(request, MAX_BODY_BYTES);
    if (!read.ok) return read.response;
    const body = read.text;
    const refused = refuseNul({ body }) ?? refuseNul(parsedJson(body));
    if (refused) return refused;
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
