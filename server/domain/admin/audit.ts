import { z } from "zod";
import { db } from "../../db";

export const ZAuditQuery = z.object({
  query: z.string().trim().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

/** The audit log, newest first; the query matches actor, action, target or IP. */
export async function listAudit(input: z.infer<typeof ZAuditQuery>) {
  const q = input.query;
  return db.auditLog.findMany({
    where: q
      ? {
          OR: [
            { actor: { contains: q, mode: "insensitive" } },
            { action: { contains: q, mode: "insensitive" } },
            { targetType: { contains: q, mode: "insensitive" } },
            { targetId: { contains: q, mode: "insensitive" } },
            { ip: { contains: q } },
          ],
        }
      : {},
    orderBy: { createdAt: "desc" },
    take: input.limit,
  });
}
