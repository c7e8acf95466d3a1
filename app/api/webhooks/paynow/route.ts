import { receivePaynowStatusUpdate } from "@/server/domain/billing/paynow-payments";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 16 * 1024;

/**
 * Paynow's result URL. The hash is verified over the raw body (a parsed body could reorder
 * fields): a bad one is recorded and refused with 400; a good one is stored, its processing
 * queued (the worker polls the stored poll URL before recording anything), and answered 200.
 */
export const POST = withHttpMetrics("/api/webhooks/paynow", async (request: Request): Promise<Response> => {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return new Response("Body too large", { status: 413 });
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) return new Response("Body too large", { status: 413 });
  const { accepted } = await receivePaynowStatusUpdate(body);
  return accepted ? new Response("OK") : new Response("Hash did not verify", { status: 400 });
});
