import { checkHealth } from "../../health/check-health";
import { createTRPCRouter, publicProcedure } from "../init";

export const systemRouter = createTRPCRouter({
  /** Public summary of platform health, without internal error details. */
  status: publicProcedure.query(async () => {
    const report = await checkHealth();
    return { status: report.status, down: report.down, checkedAt: report.checkedAt };
  }),
});
