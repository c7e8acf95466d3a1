import { actorLabel, type UserActor } from "../../auth/actor";
import { takeAttempt, tooManyAttempts, type AttemptRule } from "../../auth/attempt-limit";
import { recordAudit } from "../../audit/record-audit";
import { encryptSecret, generatePassword } from "../../crypto/secrets";
import { db } from "../../db";
import { withTenantClient, type TenantConnection } from "../../db-pool/tenant-client";
import { env } from "../../env";
import { AppError } from "../../errors";
import type { InstanceStatus } from "../../generated/prisma/enums";
import { logger } from "../../logger";
import { sendMail } from "../../mail/send-mail";
import { instanceScope } from "./instance-scope";
import { hashOdooPassword, odooPasswordMatches } from "./odoo-password";
import { readAdminPassword, writeAdminPassword, writeBaseUrl } from "./odoo-owner-sql";
import { ZResetOdooPasswordInput } from "./schemas";
import { tenantConnection } from "./tenant-connection";
import { recordInstanceEvent } from "./transition-status";

const log = logger.child({ component: "odoo-admin-password" });

/** Odoo's own default: what `-i base` gives the administrator. Never accepted on an instance. */
const DEFAULT_PASSWORD = "admin";

/** Resets a customer may ask for per hour (each costs an Odoo password hash). */
const RESET_LIMIT: AttemptRule = { name: "odoo-password-reset", limit: 10, windowMs: 60 * 60_000 };

/** Where the database is being replaced or does not exist: a password written now could be lost. */
const NOT_NOW: readonly InstanceStatus[] = ["PROVISIONING", "RESTORING", "DELETING", "DELETED"];

/**
 * Sets the Odoo administrator's password (owner or admin; audited): the admin user only, as
 * Odoo's own hash, in place; the customer's other Odoo users are untouched. Before provisioning
 * started, the hash waits (encrypted) for it instead.
 */
export async function resetOdooAdminPassword(actor: UserActor, input: unknown): Promise<{ ok: true }> {
  const { id, password } = ZResetOdooPasswordInput.parse(input);
  const instance = await db.instance.findFirst({
    where: { id, ...instanceScope(actor) },
    select: { id: true, status: true, odooLoginSetAt: true, dbPasswordEnc: true, adminEmail: true },
  });
  if (!instance) throw new AppError("NOT_FOUND", "Instance not found.");
  const waiting = instance.status === "PENDING_PAYMENT" && !instance.odooLoginSetAt;
  if (!waiting && (NOT_NOW.includes(instance.status) || !instance.dbPasswordEnc || !instance.odooLoginSetAt && instance.status === "STARTING")) {
    throw new AppError("INVALID_STATE", "The instance is being set up or replaced; try again once it is running or stopped.");
  }
  const attempt = await takeAttempt(RESET_LIMIT, actor.userId);
  if (!attempt.allowed) throw tooManyAttempts("Too many password changes.", attempt.retryAfterMs, "password");
  const hash = await hashOdooPassword(password);

  if (waiting) {
    await db.instance.update({ where: { id: instance.id }, data: { odooAdminHashEnc: encryptSecret(hash), odooPasswordNoticeAt: null } });
  } else {
    try {
      await withTenantClient(await tenantConnection(instance.id), (client) => writeAdminPassword(client, hash));
    } catch (error) {
      log.warn({ err: error, instanceId: instance.id }, "could not set the Odoo administrator password");
      throw new AppError("UNAVAILABLE", "The instance's database could not be reached; nothing was changed. Try again in a minute.");
    }
    const now = new Date();
    await db.instance.update({ where: { id: instance.id }, data: { odooPasswordNoticeAt: null, odooAdminCheckedAt: now, odooLoginSetAt: instance.odooLoginSetAt ?? now } });
  }
  await recordInstanceEvent(instance.id, "ACTION", "Odoo administrator password changed", actorLabel(actor));
  await recordAudit({ actor, action: "instance.odoo-password-reset", targetType: "instance", targetId: instance.id, details: {} });
  return { ok: true };
}

/**
 * If the database's Odoo administrator still accepts `admin` (what `-i base` leaves, and what a
 * backup of such a database brings back), replaces it with a random password nobody knows and
 * says so: a notice on the instance page (with the reset action) and a mail to the owner.
 */
export async function rotateDefaultPassword(
  instanceId: string,
  connection: TenantConnection,
  actor = "system:odoo-password-check",
): Promise<"rotated" | "fine"> {
  const rotated = await withTenantClient(connection, async (client) => {
    if (!(await odooPasswordMatches(DEFAULT_PASSWORD, await readAdminPassword(client)))) return false;
    await writeAdminPassword(client, await hashOdooPassword(generatePassword()));
    return true;
  });
  const now = new Date();
  if (!rotated) {
    await db.instance.update({ where: { id: instanceId }, data: { odooAdminCheckedAt: now } });
    return "fine";
  }
  const instance = await db.instance.update({
    where: { id: instanceId },
    data: { odooAdminCheckedAt: now, odooPasswordNoticeAt: now },
    select: { name: true, subdomain: true, adminEmail: true, owner: { select: { email: true, name: true } } },
  });
  await recordInstanceEvent(
    instanceId,
    "ACTION",
    "The Odoo administrator still had the default password admin/admin: it was replaced; set your own",
    actor,
  );
  const page = `${env().APP_URL}/instances/${instanceId}`;
  await sendMail({
    to: instance.owner.email,
    subject: `Set a new Odoo administrator password for ${instance.name}`,
    text: [
      `Hello ${instance.owner.name},`,
      "",
      `Your Odoo instance "${instance.name}" still let anyone log in as administrator with Odoo's default password (admin / admin).`,
      "We have replaced that password with a random one, so nobody can use the default any more.",
      "",
      `To log in again as administrator (${instance.adminEmail}), set a password of your own here:`,
      page,
      "",
      "Your other Odoo users and their passwords are unchanged.",
    ].join("\n"),
  }).catch((error: unknown) => log.warn({ err: error, instanceId }, "could not send the password notice mail"));
  return "rotated";
}

/** Statuses with an initialised database the check can read. */
const CHECKABLE: InstanceStatus[] = ["RUNNING", "STOPPED", "UNHEALTHY", "SUSPENDED", "STARTING", "STOPPING", "RESTARTING", "ERROR"];

/**
 * The one-time fix for instances made before owners had their own login (a platform migration
 * step, idempotent): every instance not checked yet is checked, and rotated if it accepts
 * `admin`. One that cannot be reached now is checked at the next run.
 */
export async function rotateDefaultPasswords(): Promise<{ checked: number; rotated: number; failed: number }> {
  const candidates = await db.instance.findMany({
    where: { odooAdminCheckedAt: null, initializedAt: { not: null }, dbPasswordEnc: { not: null }, status: { in: CHECKABLE } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
  const totals = { checked: 0, rotated: 0, failed: 0 };
  for (const { id } of candidates) {
    try {
      const outcome = await rotateDefaultPassword(id, await tenantConnection(id));
      totals.checked += 1;
      if (outcome === "rotated") totals.rotated += 1;
    } catch (error) {
      totals.failed += 1;
      log.warn({ err: error, instanceId: id }, "could not check the Odoo administrator password; will retry");
    }
  }
  if (candidates.length > 0) log.info(totals, "checked Odoo administrator passwords");
  return totals;
}

/**
 * A backup restored in place brings back its users as they were, except a default `admin`
 * password, which is rotated; and Odoo's address is the instance's, not the backup's.
 */
export async function secureRestoredDatabase(instanceId: string, connection: TenantConnection): Promise<void> {
  const { url } = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, select: { url: true } });
  if (url) await withTenantClient(connection, (client) => writeBaseUrl(client, url));
  await db.instance.update({ where: { id: instanceId }, data: { odooBaseUrl: url } });
  await rotateDefaultPassword(instanceId, connection, "system:restore");
}
