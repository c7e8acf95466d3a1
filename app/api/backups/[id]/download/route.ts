import { Readable } from "node:stream";
import { resolveActor } from "@/server/auth/resolve-actor";
import { openBackupDownload } from "@/server/domain/backups/manage-backups";
import { AppError, HTTP_STATUS } from "@/server/errors";
import { refuseNul } from "@/server/http/route-input";
import { withHttpMetrics } from "@/server/metrics/with-http-metrics";

export const dynamic = "force-dynamic";

/** Streams a backup's zip to its owner (or an admin); never buffers the archive. */
export const GET = withHttpMetrics(
  "/api/backups/[id]/download",
  async (request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> => {
    const { id } = await context.params;
    const refused = refuseNul({ id });
    if (refused) return refused;
    const actor = await resolveActor(request.headers);
    if (!actor) return Response.json({ error: "Sign in to download backups." }, { status: 401 });
    try {
      const download = await openBackupDownload(actor, id);
      const headers: Record<string, string> = {
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="${download.filename}"`,
        "Cache-Control": "no-store",
      };
      if (download.sizeBytes !== null) headers["Content-Length"] = String(download.sizeBytes);
      return new Response(Readable.toWeb(download.stream) as ReadableStream, { headers });
    } catch (error) {
      if (error instanceof AppError) return Response.json({ error: error.message }, { status: HTTP_STATUS[error.code] });
      throw error;
    }
  },
);
