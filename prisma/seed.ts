import "../server/load-dotenv";
import { hashPassword } from "../server/auth/password";
import { db } from "../server/db";
import { ensureDefaultDbServer } from "../server/db-pool/ensure-default-db-server";
import { env } from "../server/env";

/** Plans keyed by their Kill Bill plan name; limits only (prices live in the billing catalog). */
const PLANS = [
  { id: "basic-monthly", displayName: "Basic", cpu: 1, memoryMb: 2048, storageGb: 10, maxInstances: 1, sortOrder: 1 },
  { id: "standard-monthly", displayName: "Standard", cpu: 2, memoryMb: 4096, storageGb: 20, maxInstances: 3, sortOrder: 2 },
  { id: "premium-monthly", displayName: "Premium", cpu: 4, memoryMb: 8192, storageGb: 50, maxInstances: 10, sortOrder: 3 },
];

async function seedPlans(): Promise<void> {
  const allowedSeries = env().ODOO_SERIES;
  for (const plan of PLANS) {
    await db.plan.upsert({ where: { id: plan.id }, create: { ...plan, allowedSeries }, update: { allowedSeries } });
  }
  console.log(`seed: ${PLANS.length} plans`);
}

/**
 * Idempotent seed: the first admin from ADMIN_EMAIL / ADMIN_PASSWORD. An existing admin keeps
 * the password they may have changed since.
 */
async function main(): Promise<void> {
  await seedPlans();
  await ensureDefaultDbServer();
  console.log("seed: default database server");
  await seedAdmin();
}

async function seedAdmin(): Promise<void> {
  const { ADMIN_EMAIL, ADMIN_PASSWORD } = env();
  const email = ADMIN_EMAIL.trim().toLowerCase();
  const existing = await db.user.findUnique({ where: { email } });
  if (existing) {
    if (existing.role !== "ADMIN") await db.user.update({ where: { email }, data: { role: "ADMIN" } });
    console.log(`seed: admin ${email} present`);
    return;
  }
  if (!ADMIN_PASSWORD) throw new Error("ADMIN_PASSWORD is missing: it is needed to create the first admin");
  await db.user.create({
    data: { email, name: "Administrator", role: "ADMIN", passwordHash: await hashPassword(ADMIN_PASSWORD) },
  });
  console.log(`seed: created admin ${email}`);
}

main()
  .then(() => db.$disconnect())
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await db.$disconnect();
    process.exit(1);
  });
