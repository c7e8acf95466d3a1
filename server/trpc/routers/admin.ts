import { getAdminOverview } from "../../domain/admin/get-overview";
import { adminProcedure, createTRPCRouter } from "../init";

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.query(() => getAdminOverview()),
});
