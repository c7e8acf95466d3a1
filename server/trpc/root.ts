import { createCallerFactory, createTRPCRouter } from "./init";
import { adminRouter } from "./routers/admin";
import { authRouter } from "./routers/auth";
import { instancesRouter } from "./routers/instances";
import { plansRouter } from "./routers/plans";
import { systemRouter } from "./routers/system";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  admin: adminRouter,
  instances: instancesRouter,
  plans: plansRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
