import { getBillingOverview } from "../../domain/billing/read-billing";
import { getPaynowPayment, startPaynowPayment, ZPaymentId, ZStartPaynowPaymentInput } from "../../domain/billing/paynow-payments";
import { cancelAtEndOfTerm, changePlan, ZChangePlanInput, ZInstanceSubscriptionInput } from "../../domain/billing/subscriptions";
import { createTRPCRouter, protectedProcedure } from "../init";

export const billingRouter = createTRPCRouter({
  overview: protectedProcedure.query(({ ctx }) => getBillingOverview(ctx.actor)),
  pay: protectedProcedure.input(ZStartPaynowPaymentInput).mutation(({ ctx, input }) => startPaynowPayment(ctx.actor, input)),
  payment: protectedProcedure.input(ZPaymentId).query(({ ctx, input }) => getPaynowPayment(ctx.actor, input.paymentId)),
  cancel: protectedProcedure.input(ZInstanceSubscriptionInput).mutation(({ ctx, input }) => cancelAtEndOfTerm(ctx.actor, input)),
  changePlan: protectedProcedure.input(ZChangePlanInput).mutation(({ ctx, input }) => changePlan(ctx.actor, input)),
});
