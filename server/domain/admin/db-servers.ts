import { z } from "zod";
import type { UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { encryptSecret } from "../../crypto/secrets";
import { checkServerIsolation, type TIsolationReport } from "../../db-pool/check-server-isolation";
import { accessFor, inspectManagerRole } from "../../db-pool/manager";
import { db } from "../../db";
import { AppError } from "../../errors";
import { Prisma } from "../../generated/prisma/client";

const ZHost = z.string().trim().min(1, { message: "Enter a host" }).max(253).regex(/^[A-Za-z0-9.:_-]+$/, { message: "Enter a host name or address" });

export const ZAddDbServer = z.object({
  name: z.string().max(64).trim().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, { message: "Use 2-41 lower-case letters, digits and hyphens" }),
  host: ZHost,
  containerHost: ZHost,
  port: z.number().int().min(1).max(65535).default(5432),
  managerUser: z.string().max(128).trim().regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: "Enter a PostgreSQL role name" }),
  managerPassword: z.string().min(1, { message: "Enter the role's password" }).max(200),
  maxInstances: z.number().int().min(1).max(10_000).default(100),
});
export const ZSetCapacity = z.object({ id: z.string().min(1).max(64), maxInstances: z.number().int().min(0).max(10_000) });
export const ZSetDbServerStatus = z.object({ id: z.string().min(1).max(64), status: z.enum(["ACTIVE", "DRAINING", "DISABLED"]) });

const PUBLIC_FIELDS = {
  id: true,
  name: true,
  host: true,
  containerHost: true,
  port: true,
  managerUser: true,
  maxInstances: true,
  status: true,
  createdAt: true,
} as const;

export async function listDbServers() {
  const [servers, usage] = await Promise.all([
    db.dbServer.findMany({ select: PUBLIC_FIELDS, orderBy: { createdAt: "asc" } }),
    db.instance.groupBy({ by: ["dbServerId"], where: { status: { not: "DELETED" }, dbServerId: { not: null } }, _count: true }),
  ]);
  const used = new Map(usage.map((row) => [row.dbServerId, row._count]));
  return servers.map((server) => ({ ...server, used: used.get(server.id) ?? 0 }));
}

/**
 * Adds a pool server after connecting with its manager role: a failed connection or a role that
 * is superuser (or lacks CREATEDB/CREATEROLE) is refused, naming the field. Once saved, the
 * server's databases open to every role are closed where the manager may, and the answer says
 * what a superuser must run for the others (the server is usable either way).
 */
export async function addDbServer(actor: UserActor, input: z.infer<typeof ZAddDbServer>) {
  const report = await inspectManagerRole({
    host: input.host,
    port: input.port,
    managerUser: input.managerUser,
    managerPassword: input.managerPassword,
  });
  if (!report.ok) {
    throw new AppError("VALIDATION", `Could not connect with this role: ${report.error}`, {
      host: [`Could not connect: ${report.error}`],
    });
  }
  if (report.superuser) {
    throw new AppError("VALIDATION", "This role is a superuser; use a role with only CREATEDB and CREATEROLE.", {
      managerUser: ["A superuser role is refused: least privilege"],
    });
  }
  if (!report.createDb || !report.createRole) {
    throw new AppError("VALIDATION", "The role needs CREATEDB and CREATEROLE.", {
      managerUser: ["The role needs CREATEDB and CREATEROLE"],
    });
  }
  let server;
  try {
    server = await db.dbServer.create({
      data: {
        name: input.name,
        host: input.host,
        containerHost: input.containerHost,
        port: input.port,
        managerUser: input.managerUser,
        managerPasswordEnc: encryptSecret(input.managerPassword),
        maxInstances: input.maxInstances,
      },
      select: PUBLIC_FIELDS,
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("CONFLICT", "A server with this name exists.", { name: ["A server with this name exists"] });
    }
    throw error;
  }
  const isolation = await checkServerIsolation(
    { host: input.host, port: input.port, managerUser: input.managerUser, managerPassword: input.managerPassword },
    { fix: true },
  );
  await recordAudit({
    actor,
    action: "db-server.add",
    targetType: "db-server",
    targetId: server.id,
    details: { name: server.name, host: server.host, ...isolationSummary(isolation) },
  });
  return { ...server, isolation };
}

/** The audit's view of a check: which databases were closed and which are still open. */
function isolationSummary(report: TIsolationReport) {
  if (!report.ok) return { isolationError: report.error };
  return {
    closed: report.findings.filter((f) => f.fixed).map((f) => `${f.database}: ${f.issue}`),
    stillOpen: report.findings.filter((f) => !f.fixed).map((f) => `${f.database}: ${f.issue}`),
  };
}

async function serverAccess(id: string) {
  const server = await db.dbServer.findUnique({ where: { id } });
  if (!server) throw new AppError("NOT_FOUND", "Database server not found.");
  return accessFor(server);
}

/** What on the server is open to every role, tenants included; changes nothing. */
export async function getDbServerIsolation(id: string): Promise<TIsolationReport> {
  return checkServerIsolation(await serverAccess(id), { fix: false });
}

/** Closes what the manager role may close on the server, and reports the rest. */
export async function fixDbServerIsolation(actor: UserActor, id: string): Promise<TIsolationReport> {
  const report = await checkServerIsolation(await serverAccess(id), { fix: true });
  await recordAudit({ actor, action: "db-server.close-databases", targetType: "db-server", targetId: id, details: isolationSummary(report) });
  return report;
}

/** An update of a row that does not exist (P2025) is NOT_FOUND; any other failure stays what it is. */
function notFoundOnMissing(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") {
    throw new AppError("NOT_FOUND", "Database server not found.");
  }
  throw error;
}

export async function setDbServerCapacity(actor: UserActor, input: z.infer<typeof ZSetCapacity>) {
  const server = await db.dbServer.update({ where: { id: input.id }, data: { maxInstances: input.maxInstances }, select: PUBLIC_FIELDS }).catch(notFoundOnMissing);
  await recordAudit({ actor, action: "db-server.set-capacity", targetType: "db-server", targetId: input.id, details: { maxInstances: input.maxInstances } });
  return server;
}

/** DRAINING: no new databases; DISABLED: also shown as out of service. Existing instances stay. */
export async function setDbServerStatus(actor: UserActor, input: z.infer<typeof ZSetDbServerStatus>) {
  const server = await db.dbServer.update({ where: { id: input.id }, data: { status: input.status }, select: PUBLIC_FIELDS }).catch(notFoundOnMissing);
  await recordAudit({ actor, action: "db-server.set-status", targetType: "db-server", targetId: input.id, details: { status: input.status } });
  return server;
}
