import { actorLabel, type UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { takeAttempt, tooManyAttempts, type AttemptRule } from "../../auth/attempt-limit";
import { encryptSecret } from "../../crypto/secrets";
import { env } from "../../env";
import { AppError } from "../../errors";
import { Prisma } from "../../generated/prisma/client";
import { queueSubscriptionStart } from "../../queue/queues";
import { PUBLIC_INSTANCE_SELECT } from "./instance-scope";
import { generateOdooPassword, hashOdooPassword } from "./odoo-password";
import { planLimits } from "../plans/plan-limits";

import { ZCreateInstanceInput, ZSubdomain } from "./schemas";

const fieldError = (field: string, message: string, code: "VALIDATION" | "CONFLICT" | "PLAN_LIMIT" = "VALIDATION") =>
  new AppError(code, message, { [field]: [message] });

/**
 * Creates an instance in PENDING_PAYMENT and queues the opening of its subscription: nothing
 * is provisioned before billing confirms it (the customer's one free trial, or a paid
 * invoice). The plan's limits are copied onto the instance so that a later plan edit does not
 * silently resize it.
 */
export async function createInstance(actor: UserActor, input: unknown, options: { restoreFromBackupId?: string } = {}) {
  const data = ZCreateInstanceInput.parse(input);
  const plan = await db.plan.findUnique({ where: { id: data.planId } });
  if (!plan) throw fieldError("planId", "This plan does not exist");
  if (!env().ODOO_SERIES.includes(data.odooVersion)) {
    throw fieldError("odooVersion", `Odoo ${data.odooVersion} is not offered; choose one of ${env().ODOO_SERIES.join(", ")}`);
  }
  if (!plan.allowedSeries.includes(data.odooVersion)) {
    throw fieldError("odooVersion", `The ${plan.displayName} plan offers Odoo ${plan.allowedSeries.join(", ")}`);
  }
  const owned = await db.instance.count({ where: { ownerId: actor.userId, status: { not: "DELETED" } } });
  if (owned >= plan.maxInstances) {
    throw fieldError("planId", `The ${plan.displayName} plan allows ${plan.maxInstances} instance${plan.maxInstances === 1 ? "" : "s"} per customer; choose a larger plan`, "PLAN_LIMIT");
  }
  const owner = await db.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { email: true, trialUsedAt: true } });
  if (data.trial && owner.trialUsedAt) {
    throw fieldError("trial", "You have already used your free trial; this instance starts once its first invoice is paid", "CONFLICT");
  }
  // Hashing costs half a second of a core: counted, and done only for a request that passed
  // every other check.
  const attempt = await takeAttempt(CREATE_LIMIT, actor.userId);
  if (!attempt.allowed) throw tooManyAttempts("Too many instances requested.", attempt.retryAfterMs);
  const admin = await newOdooAdminPassword(data.adminPassword);

  let instance;
  try {
    instance = await db.$transaction(async (tx) => {
      if (data.trial) {
        // One trial per customer, recorded. Claimed first: the row lock makes a concurrent
        // request wait here and then find the trial taken.
        const { count } = await tx.user.updateMany({ where: { id: actor.userId, trialUsedAt: null }, data: { trialUsedAt: new Date() } });
        if (count !== 1) throw fieldError("trial", "You have already used your free trial", "CONFLICT");
      }
      const created = await tx.instance.create({
        data: {
          ownerId: actor.userId,
          name: data.name,
          subdomain: data.subdomain,
          odooVersion: data.odooVersion,
          ...planLimits(plan),
          status: "PENDING_PAYMENT",
          statusMessage: data.trial ? "Starting your free trial" : "Waiting for payment of the first invoice",
          adminEmail: data.adminEmail ?? owner.email,
          demoData: data.demoData,
          customAddons: data.customAddons,
          envVars: data.envVars,
          odooAdminHashEnc: admin.hashEnc,
          odooLang: data.odooLang,
          odooTimezone: data.odooTimezone,
          restoreFromBackupId: options.restoreFromBackupId,
          events: {
            create: { type: "STATUS", toStatus: "PENDING_PAYMENT", message: "Instance requested", actor: actorLabel(actor) },
          },
        },
        select: PUBLIC_INSTANCE_SELECT,
      });
      if (data.trial) await tx.user.update({ where: { id: actor.userId }, data: { trialInstanceId: created.id } });
      return created;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw fieldError("subdomain", "This subdomain is already taken", "CONFLICT");
    }
    throw error;
  }
  await recordAudit({
    actor,
    action: "instance.create",
    targetType: "instance",
    targetId: instance.id,
    details: { subdomain: instance.subdomain, planId: instance.planId, odooVersion: instance.odooVersion, trial: data.trial },
  });
  // If this enqueue is lost (Redis down), the billing sweep finds the instance without a
  // subscription and queues it again.
  await queueSubscriptionStart(instance.id);
  // A generated password is shown once, in this answer, and stored nowhere in plain.
  return { ...instance, ...(admin.generated ? { generatedOdooPassword: admin.generated } : {}) };
}

/** Instances a customer may request per hour (each costs an Odoo password hash). */
const CREATE_LIMIT: AttemptRule = { name: "instance-create", limit: 30, windowMs: 60 * 60_000 };

/**
 * The Odoo administrator's password as it travels to provisioning: Odoo's own hash, encrypted
 * with SECRETS_KEY. Without a chosen password, one is generated (and returned to show once).
 */
async function newOdooAdminPassword(chosen: string | undefined): Promise<{ hashEnc: string; generated?: string }> {
  const generated = chosen ? undefined : generateOdooPassword();
  return { hashEnc: encryptSecret(await hashOdooPassword(chosen ?? generated!)), generated };
}

/** For the create form's as-you-type check. */
export async function checkSubdomain(subdomain: string): Promise<{ available: boolean; reason?: string }> {
  const parsed = ZSubdomain.safeParse(subdomain);
  if (!parsed.success) return { available: false, reason: parsed.error.issues[0]?.message };
  const taken = await db.instance.findUnique({ where: { subdomain: parsed.data }, select: { id: true } });
  return taken ? { available: false, reason: "This subdomain is already taken" } : { available: true };
}
