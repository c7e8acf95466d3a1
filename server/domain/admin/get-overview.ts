import { db } from "../../db";

/** Fleet overview for admins; grows as instances, billing and backups arrive. */
export async function getAdminOverview() {
  const [customers, admins, activeSessions] = await Promise.all([
    db.user.count({ where: { role: "CUSTOMER" } }),
    db.user.count({ where: { role: "ADMIN" } }),
    db.session.count({ where: { expiresAt: { gt: new Date() } } }),
  ]);
  return { customers, admins, activeSessions };
}
