import { listPlans } from "../../domain/plans/list-plans";
import { createTRPCRouter, publicProcedure } from "../init";

export const plansRouter = createTRPCRouter({
  list: publicProcedure.query(() => listPlans()),
});
