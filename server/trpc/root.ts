import { createCallerFactory, createTRPCRouter } from "./init";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { backupsRouter } from "./routers/backups";
import { billingRouter } from "./routers/billing";
import { instancesRouter } from "./routers/instances";
import { plansRouter } from "./routers/plans";
import { systemRouter } from "./routers/system";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  admin: adminRouter,
  backups: backupsRouter,
  billing: billingRouter,
  instances: instancesRouter,
  plans: plansRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
