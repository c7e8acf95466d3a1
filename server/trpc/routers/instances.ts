import { checkSubdomain, createInstance } from "../../domain/instances/create-instance";
import {
  getInstance,
  getInstanceHealth,
  getInstanceLogs,
  listInstanceEvents,
  listInstances,
  refreshInstanceStatus,
} from "../../domain/instances/read-instances";
import { resetOdooAdminPassword } from "../../domain/instances/odoo-admin-password";
import { requestInstanceAction } from "../../domain/instances/request-instance-action";
import {
  ZCreateInstanceInput,
  ZInstanceId,
  ZInstanceLogsInput,
  ZResetOdooPasswordInput,
  ZSubdomainCheck,
} from "../../domain/instances/schemas";
import { createTRPCRouter, protectedProcedure } from "../init";

export const instancesRouter = createTRPCRouter({
  create: protectedProcedure.input(ZCreateInstanceInput).mutation(({ ctx, input }) => createInstance(ctx.actor, input)),
  checkSubdomain: protectedProcedure.input(ZSubdomainCheck).query(({ input }) => checkSubdomain(input.subdomain)),
  list: protectedProcedure.query(({ ctx }) => listInstances(ctx.actor)),
  get: protectedProcedure.input(ZInstanceId).query(({ ctx, input }) => getInstance(ctx.actor, input.id)),
  start: protectedProcedure.input(ZInstanceId).mutation(({ ctx, input }) => requestInstanceAction(ctx.actor, input.id, "start")),
  stop: protectedProcedure.input(ZInstanceId).mutation(({ ctx, input }) => requestInstanceAction(ctx.actor, input.id, "stop")),
  restart: protectedProcedure
    .input(ZInstanceId)
    .mutation(({ ctx, input }) => requestInstanceAction(ctx.actor, input.id, "restart")),
  delete: protectedProcedure
    .input(ZInstanceId)
    .mutation(({ ctx, input }) => requestInstanceAction(ctx.actor, input.id, "delete")),
  logs: protectedProcedure.input(ZInstanceLogsInput).query(({ ctx, input }) => getInstanceLogs(ctx.actor, input.id, input.lines)),
  health: protectedProcedure.input(ZInstanceId).query(({ ctx, input }) => getInstanceHealth(ctx.actor, input.id)),
  refreshStatus: protectedProcedure.input(ZInstanceId).mutation(({ ctx, input }) => refreshInstanceStatus(ctx.actor, input.id)),
  events: protectedProcedure.input(ZInstanceId).query(({ ctx, input }) => listInstanceEvents(ctx.actor, input.id)),
  /** The owner's (or an admin's, audited) new Odoo administrator password, applied in place. */
  resetOdooPassword: protectedProcedure
    .input(ZResetOdooPasswordInput)
    .mutation(({ ctx, input }) => resetOdooAdminPassword(ctx.actor, input)),
});
