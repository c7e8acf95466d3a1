import { z } from "zod";
import type { UserActor } from "../../auth/actor";
import { recordAudit } from "../../audit/record-audit";
import { billingProvider } from "../../billing";
import type { BillingProvider } from "../../billing/types";
import { db } from "../../db";
import { AppError } from "../../errors";
import { instanceScope } from "../instances/instance-scope";
import { recordInstanceEvent } from "../instances/transition-status";
import { mirrorSubscription } from "./mirror";
import { planLimits } from "../plans/plan-limits";

/**
 * Opens the instance's subscription at the billing provider (job start-subscription): the
 * customer's account first, then the subscription on the instance's plan, in the TRIAL phase
 * only for the customer's one recorded trial. Idempotent: providers key both by our ids.
 */
export async function startSubscription(instanceId: string, provider: BillingProvider = billingProvider()) {
  const instance = await db.instance.findUnique({
    where: { id: instanceId },
    select: {
      id: true,
      status: true,
      planId: true,
      ownerId: true,
      subscription: { select: { id: true } },
      owner: { select: { id: true, email: true, name: true, company: true, trialInstanceId: true } },
    },
  });
  if (!instance || instance.status !== "PENDING_PAYMENT" || instance.subscription) return { status: "nothing to do" };
  const accountId = await provider.ensureAccount(instance.owner);
  await db.user.updateMany({ where: { id: instance.ownerId, billingAccountId: null }, data: { billingAccountId: accountId } });
  const trial = instance.owner.trialInstanceId === instance.id;
  const subscriptionId = await provider.createSubscription({ accountId, instanceId, planName: instance.planId, trial });
  const view = await provider.getSubscription(subscriptionId);
  if (view) await mirrorSubscription(provider, view, instance);
  await recordInstanceEvent(instanceId, "STEP", trial ? "Free trial started" : "Subscription opened: waiting for payment", "system:billing");
  return { status: trial ? "trial" : "awaiting payment", subscriptionId };
}

/** Job cancel-subscription: a deleted instance stops being billed at once. */
export async function cancelSubscriptionNow(instanceId: string, provider: BillingProvider = billingProvider()) {
  const subscription = await db.subscription.findUnique({ where: { instanceId }, select: { id: true, state: true, userId: true } });
  if (!subscription || subscription.state === "CANCELLED") return { status: "nothing to cancel" };
  await provider.cancelSubscription(subscription.id, "IMMEDIATE");
  const view = await provider.getSubscription(subscription.id);
  if (view) await mirrorSubscription(provider, view, { id: instanceId, ownerId: subscription.userId });
  return { status: "cancelled" };
}

/** Queues the provider call; the billing sweep queues it again if Redis was down. */
export const ZInstanceSubscriptionInput = z.object({ instanceId: z.string().min(1).max(64) });
export const ZChangePlanInput = ZInstanceSubscriptionInput.extend({ planId: z.string().min(1, { message: "Choose a plan" }).max(64) });

async function ownedSubscription(actor: UserActor, instanceId: string) {
  const subscription = await db.subscription.findFirst({ where: { instanceId, instance: instanceScope(actor) } });
  if (!subscription) throw new AppError("NOT_FOUND", "This instance has no subscription.");
  return subscription;
}

/** The customer cancels: service continues to the end of the paid term, then the instance ends. */
export async function cancelAtEndOfTerm(actor: UserActor, input: z.infer<typeof ZInstanceSubscriptionInput>, provider = billingProvider()) {
  const subscription = await ownedSubscription(actor, input.instanceId);
  if (subscription.state === "CANCELLED" || subscription.cancelledDate) throw new AppError("INVALID_STATE", "This subscription is already cancelled.");
  await provider.cancelSubscription(subscription.id, "END_OF_TERM");
  const view = await provider.getSubscription(subscription.id);
  if (view) await mirrorSubscription(provider, view, { id: input.instanceId, ownerId: subscription.userId });
  await recordAudit({ actor, action: "subscription.cancel", targetType: "instance", targetId: input.instanceId, details: { effective: view?.cancelledDate ?? null } });
  return { cancelledDate: view?.cancelledDate ?? null };
}

/** Moves the subscription to another plan of the catalog, if the instance fits it. */
export async function changePlan(actor: UserActor, input: z.infer<typeof ZChangePlanInput>, provider = billingProvider()) {
  const subscription = await ownedSubscription(actor, input.instanceId);
  const plan = await db.plan.findUnique({ where: { id: input.planId } });
  if (!plan) throw new AppError("VALIDATION", "This plan does not exist", { planId: ["This plan does not exist"] });
  if (subscription.state !== "ACTIVE" || subscription.cancelledDate) throw new AppError("INVALID_STATE", "Only an active subscription can change plan.");
  const instance = await db.instance.findUniqueOrThrow({ where: { id: input.instanceId }, select: { odooVersion: true } });
  if (!plan.allowedSeries.includes(instance.odooVersion)) {
    throw new AppError("VALIDATION", `The ${plan.displayName} plan does not offer Odoo ${instance.odooVersion}`, { planId: [`The ${plan.displayName} plan does not offer Odoo ${instance.odooVersion}`] });
  }
  await provider.changePlan(subscription.id, plan.id);
  const view = await provider.getSubscription(subscription.id);
  if (view) await mirrorSubscription(provider, view, { id: input.instanceId, ownerId: subscription.userId });
  await db.instance.update({
    where: { id: input.instanceId },
    data: planLimits(plan),
  });
  await recordAudit({ actor, action: "subscription.change-plan", targetType: "instance", targetId: input.instanceId, details: { from: subscription.planName, to: plan.id } });
  return { planId: plan.id };
}
