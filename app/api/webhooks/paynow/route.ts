import { receivePaynowStatusUpdate } from "@/server/domain/billing/paynow-payments";
import { readTextWithin, refuseNul } from "@/server/http/route-input";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 16 * 1024;

/**
 * Paynow's result URL. The hash is verified over the raw body (a parsed body could reorder
 * fields): a bad one is recorded and refused with 400; a good one is stored, its processing
 * queued (the worker polls the stored poll URL before recording anything), and answered 200.
 * A body holding a NUL, raw or percent-encoded in a field, is refused before anything is stored.
 */
export const POST = withHttpMetrics("/api/webhooks/paynow", async (request: Request): Promise<Response> => {
  const read = await readTextWithin(request, MAX_BODY_BYTES);
  if (!read.ok) return read.response;
  const body = read.text;
  const refused = refuseNul({ body }) ?? refuseNul(Object.fromEntries(new URLSearchParams(body)));
  if (refused) return refused;
  const { accepted } = await receivePaynowStatusUpdate(body);
  return accepted ? new Response("OK") : new Response("Hash did not verify", { status: 400 });
});
