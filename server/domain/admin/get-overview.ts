import { db } from "../../db";
import { countInstancesByStatus } from "../instances/count-instances-by-status";
import { countFailedJobsSince } from "./queues";

/** Fleet overview for admins. */
export async function getAdminOverview() {
  const since = new Date(Date.now() - 24 * 3600 * 1000);
  const [instancesByStatus, customers, suspendedCustomers, servers, used, failedJobs24h, failedBackups24h, refusedBillingEvents24h] = await Promise.all([
    countInstancesByStatus(),
    db.user.count({ where: { role: "CUSTOMER" } }),
    db.user.count({ where: { role: "CUSTOMER", suspendedAt: { not: null } } }),
    db.dbServer.findMany({ select: { status: true, maxInstances: true } }),
    db.instance.count({ where: { status: { not: "DELETED" }, dbServerId: { not: null } } }),
    countFailedJobsSince(since.getTime()).catch(() => -1),
    db.backup.count({ where: { status: "FAILED", createdAt: { gte: since } } }),
    db.billingEvent.count({ where: { status: { in: ["REJECTED", "FAILED"] }, receivedAt: { gte: since } } }),
  ]);
  const active = servers.filter((server) => server.status === "ACTIVE");
  return {
    instancesByStatus,
    customers,
    suspendedCustomers,
    provisioningInFlight: instancesByStatus.PROVISIONING + instancesByStatus.STARTING,
    /** -1 when the queues cannot be read (Redis down). */
    failedJobs24h,
    failedBackups24h,
    /** Billing notifications refused (forged, bad hash, wrong amount) or failed to process. */
    refusedBillingEvents24h,
    dbServers: {
      total: servers.length,
      active: active.length,
      used,
      capacity: active.reduce((sum, server) => sum + server.maxInstances, 0),
    },
  };
}
