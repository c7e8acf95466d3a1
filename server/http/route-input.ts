import { findNul, nulFieldErrors, nulMessage } from "./find-nul";

/**
 * Guards for the HTTP routes' own input (path parameters, bodies): bad input answers a 4xx
 * with a JSON body naming the field, never a server error. Web-standard Request/Response only.
 */

/** A 400 naming the first field of `inputs` ({ id }, { body }, parsed fields) that holds a NUL, or null. */
export function refuseNul(inputs: Record<string, unknown>): Response | null {
  // A NUL in a name of the body's own fields is reported as the body's.
  const hit = findNul(inputs, "body");
  if (!hit) return null;
  return Response.json({ error: nulMessage(hit), fieldErrors: nulFieldErrors(hit) }, { status: 400 });
}

export const bodyTooLarge = (maxBytes: number) =>
  Response.json(
    { error: `The request body is too large: at most ${formatBytes(maxBytes)}.`, fieldErrors: { body: [`at most ${formatBytes(maxBytes)}`] } },
    { status: 413 },
  );

const formatBytes = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} kB` : `${bytes} bytes`);

export type LimitedBody = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; tooLarge: true };

/**
 * Reads a request body of at most `maxBytes`: an announced Content-Length above it is refused
 * before anything is read, and a body that streams past it (chunked, or a lying length) is cut
 * off as soon as it does, so a large body is never buffered whole.
 */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<LimitedBody> {
  const announced = Number(request.headers.get("content-length") ?? 0);
  if (Number.isFinite(announced) && announced > maxBytes) {
    await request.body?.cancel().catch(() => {});
    return { ok: false, tooLarge: true };
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, tooLarge: true };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

/** The body as text (UTF-8) within `maxBytes`, or the 413 to answer. */
export async function readTextWithin(request: Request, maxBytes: number): Promise<{ ok: true; text: string } | { ok: false; response: Response }> {
  const body = await readBodyWithin(request, maxBytes);
  if (!body.ok) return { ok: false, response: bodyTooLarge(maxBytes) };
  return { ok: true, text: new TextDecoder().decode(body.bytes) };
}
