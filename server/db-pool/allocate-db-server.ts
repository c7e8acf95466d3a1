import { db } from "../db";
import { AppError } from "../errors";
import { Prisma, type DbServer } from "../generated/prisma/client";
import { tenantNames } from "./sql";

export type TAllocateDbServerOptions = {
  /** Restricts the candidates (placement on chosen servers; tests use it to ignore other rows). */
  serverIds?: string[];
};

type Candidate = { id: string; maxInstances: number };

const NO_CAPACITY = "No database server has free capacity: add a server or raise a server's capacity.";

/** Least-loaded candidate with room left; ties go to the first in lock order (deterministic). */
function pickLeastLoaded<C extends Candidate>(candidates: C[], load: Map<string, number>): C | undefined {
  let best: C | undefined;
  for (const candidate of candidates) {
    const count = load.get(candidate.id) ?? 0;
    if (count >= candidate.maxInstances) continue;
    if (!best || count < (load.get(best.id) ?? 0)) best = candidate;
  }
  return best;
}

/**
 * Places an instance's database on a pool server and records it (dbServerId, dbName, dbUser).
 * Idempotent: an instance already placed keeps its server, whatever that server's status.
 *
 * One transaction that cannot over-fill a server: it locks the instance row (so two runs for one
 * instance agree), then every ACTIVE candidate server in id order (so concurrent allocations
 * queue instead of deadlocking), and only then counts live instances. Under READ COMMITTED that
 * count is a fresh snapshot taken after the previous holder of the locks committed.
 */
export async function allocateDbServer(instanceId: string, options: TAllocateDbServerOptions = {}): Promise<DbServer> {
  const names = tenantNames(instanceId);
  return db.$transaction(
    async (tx) => {
      const [instance] = await tx.$queryRaw<{ dbServerId: string | null }[]>`
        SELECT "dbServerId" FROM "Instance" WHERE id = ${instanceId} FOR UPDATE`;
      if (!instance) throw new AppError("NOT_FOUND", "Instance not found.");
      if (instance.dbServerId) return tx.dbServer.findUniqueOrThrow({ where: { id: instance.dbServerId } });

      const filter = options.serverIds ? Prisma.sql`AND id = ANY(${options.serverIds}::text[])` : Prisma.empty;
      // Whole rows: the chosen one is returned without another query while every allocation
      // waits on these locks.
      const candidates = await tx.$queryRaw<DbServer[]>`
        SELECT * FROM "DbServer"
        WHERE status = 'ACTIVE' ${filter}
        ORDER BY id
        FOR UPDATE`;
      if (candidates.length === 0) throw new AppError("UNAVAILABLE", NO_CAPACITY);

      const counts = await tx.instance.groupBy({
        by: ["dbServerId"],
        where: { dbServerId: { in: candidates.map((c) => c.id) }, status: { not: "DELETED" } },
        _count: { _all: true },
      });
      const load = new Map(counts.map((row) => [row.dbServerId ?? "", row._count._all]));
      const chosen = pickLeastLoaded(candidates, load);
      if (!chosen) throw new AppError("UNAVAILABLE", NO_CAPACITY);

      await tx.instance.update({
        where: { id: instanceId },
        data: { dbServerId: chosen.id, dbName: names.dbName, dbUser: names.roleName },
        select: { id: true },
      });
      return chosen;
    },
    // Allocations queue on the server locks; give the queue time rather than failing under load.
    { maxWait: 10_000, timeout: 15_000 },
  );
}
