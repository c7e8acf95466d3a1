import "../server/load-dotenv";
import { hashPassword } from "../server/auth/password";
import { db } from "../server/db";
import { env } from "../server/env";

/**
 * Idempotent seed: the first admin from ADMIN_EMAIL / ADMIN_PASSWORD. An existing admin keeps
 * the password they may have changed since.
 */
async function main(): Promise<void> {
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
