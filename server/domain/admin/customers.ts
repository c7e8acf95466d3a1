import { z } from "zod";
import { actorLabel, type UserActor } from "../../auth/actor";
import { deleteUserSessions } from "../../auth/sessions";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import { enqueueInstanceJob, JOB } from "../../queue/queues";
import { recentInvoices, subscriptionSummary } from "../billing/read-billing";
import { SUSPENDABLE } from "../instances/instance-status";
import { transitionStatus } from "../instances/transition-status";

export const ZCustomerSearch = z.object({ query: z.string().trim().max(200).optional() });
export const ZCustomerId = z.object({ id: z.string().min(1).max(64) });

export async function searchCustomers(input: z.infer<typeof ZCustomerSearch>) {
  const q = input.query;
  const users = await db.user.findMany({
    where: q
      ? {
          OR: [
            { email: { contains: q, mode: "insensitive" } },
            { name: { contains: q, mode: "insensitive" } },
            { company: { contains: q, mode: "insensitive" } },
          ],
        }
      : {},
    orderBy: { createdAt: "desc" },
    take: 50,
    select: {
      id: true,
      email: true,
      name: true,
      company: true,
      role: true,
      suspendedAt: true,
      createdAt: true,
      _count: { select: { instances: { where: { status: { not: "DELETED" } } } } },
    },
  });
  return users.map(({ _count, ...user }) => ({ ...user, instanceCount: _count.instances }));
}

export async function getCustomer(id: string) {
  const user = await db.user.findUnique({
    where: { id },
    select: {
      id: true,
      email: true,
      name: true,
      company: true,
      role: true,
      suspendedAt: true,
      createdAt: true,
      instances: {
        where: { status: { not: "DELETED" } },
        select: { id: true, name: true, subdomain: true, status: true, odooVersion: true, planId: true },
        orderBy: { createdAt: "desc" },
      },
    },
  });
  if (!user) throw new AppError("NOT_FOUND", "Customer not found.");
  const activeSessions = await db.session.count({ where: { userId: id, expiresAt: { gt: new Date() } } });
  const [subscriptions, invoices] = await Promise.all([subscriptionSummary(id), recentInvoices(id)]);
  return { ...user, activeSessions, subscriptions, invoices };
}

/** Blocks login, ends sessions and stops every instance (status SUSPENDED, data kept). */
export async function suspendCustomer(actor: UserActor, id: string) {
  const user = await db.user.findUnique({ where: { id }, select: { id: true, role: true, suspendedAt: true } });
  if (!user) throw new AppError("NOT_FOUND", "Customer not found.");
  if (user.id === actor.userId) throw new AppError("INVALID_STATE", "You cannot suspend yourself.");
  if (!user.suspendedAt) await db.user.update({ where: { id }, data: { suspendedAt: new Date() } });
  const endedSessions = await deleteUserSessions(id);
  const instances = await db.instance.findMany({ where: { ownerId: id, status: { in: [...SUSPENDABLE] } }, select: { id: true, status: true } });
  let suspended = 0;
  for (const instance of instances) {
    const moved = await transitionStatus(instance.id, {
      to: "SUSPENDED",
      from: [instance.status],
      message: "Suspended: the account is suspended",
      actor: actorLabel(actor),
    });
    if (moved) {
      suspended++;
      await enqueueInstanceJob(JOB.suspendInstance, instance.id);
    }
  }
  await recordAudit({ actor, action: "customer.suspend", targetType: "user", targetId: id, details: { endedSessions, suspended } });
  return { ok: true as const, endedSessions, suspendedInstances: suspended };
}

/** Allows login again and starts the instances the suspension stopped. */
export async function unsuspendCustomer(actor: UserActor, id: string) {
  const user = await db.user.findUnique({ where: { id }, select: { id: true } });
  if (!user) throw new AppError("NOT_FOUND", "Customer not found.");
  await db.user.update({ where: { id }, data: { suspendedAt: null } });
  // Instances suspended by billing (unpaid, or subscription ended) stay suspended until paid.
  const instances = await db.instance.findMany({
    where: { ownerId: id, status: "SUSPENDED", billingSuspendedAt: null, deleteAfter: null },
    select: { id: true, initializedAt: true },
  });
  for (const instance of instances) {
    const next = instance.initializedAt
      ? ({ to: "STARTING", job: JOB.startInstance } as const)
      : ({ to: "PROVISIONING", job: JOB.provisionInstance } as const);
    const moved = await transitionStatus(instance.id, {
      to: next.to,
      from: ["SUSPENDED"],
      message: "Resumed: the account is active again",
      actor: actorLabel(actor),
    });
    if (moved) await enqueueInstanceJob(next.job, instance.id);
  }
  await recordAudit({ actor, action: "customer.unsuspend", targetType: "user", targetId: id, details: { resumed: instances.length } });
  return { ok: true as const, resumedInstances: instances.length };
}

/** Ends every session of a customer; an id that names no account is NOT_FOUND and nothing is recorded. */
export async function revokeCustomerSessions(actor: UserActor, id: string) {
  const user = await db.user.findUnique({ where: { id }, select: { id: true } });
  if (!user) throw new AppError("NOT_FOUND", "Customer not found.");
  const endedSessions = await deleteUserSessions(id);
  await recordAudit({ actor, action: "customer.revoke-sessions", targetType: "user", targetId: id, details: { endedSessions } });
  return { ok: true as const, endedSessions };
}
