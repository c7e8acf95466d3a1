import { z } from "zod";
import { resetOdooAdminPassword } from "../../domain/instances/odoo-admin-password";
import { ZResetOdooPasswordInput } from "../../domain/instances/schemas";
import { ZAuditQuery, listAudit } from "../../domain/admin/audit";
import {
  getCustomer,
  revokeCustomerSessions,
  searchCustomers,
  suspendCustomer,
  unsuspendCustomer,
  ZCustomerId,
  ZCustomerSearch,
} from "../../domain/admin/customers";
import {
  addDbServer,
  fixDbServerIsolation,
  getDbServerIsolation,
  listDbServers,
  setDbServerCapacity,
  setDbServerStatus,
  ZAddDbServer,
  ZSetCapacity,
  ZSetDbServerStatus,
} from "../../domain/admin/db-servers";
import { getAdminOverview } from "../../domain/admin/get-overview";
import {
  adminInstanceAction,
  listAllInstances,
  moveInstanceToStatus,
  retryProvisioning,
  ZAdminInstanceAction,
  ZAdminInstanceFilter,
  ZMoveToStatus,
} from "../../domain/admin/instances";
import { listBillingEvents, replayBillingEventAsAdmin, ZBillingEventQuery } from "../../domain/billing/read-billing";
import { listFailedJobs, listQueues, removeJob, retryJob, ZJobRef, ZQueueRef } from "../../domain/admin/queues";
import { adminProcedure, createTRPCRouter } from "../init";

const ZId = z.object({ id: z.string().min(1).max(64) });

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.query(() => getAdminOverview()),
  customers: createTRPCRouter({
    search: adminProcedure.input(ZCustomerSearch).query(({ input }) => searchCustomers(input)),
    get: adminProcedure.input(ZCustomerId).query(({ input }) => getCustomer(input.id)),
    suspend: adminProcedure.input(ZCustomerId).mutation(({ ctx, input }) => suspendCustomer(ctx.actor, input.id)),
    unsuspend: adminProcedure.input(ZCustomerId).mutation(({ ctx, input }) => unsuspendCustomer(ctx.actor, input.id)),
    revokeSessions: adminProcedure.input(ZCustomerId).mutation(({ ctx, input }) => revokeCustomerSessions(ctx.actor, input.id)),
  }),
  instances: createTRPCRouter({
    list: adminProcedure.input(ZAdminInstanceFilter).query(({ input }) => listAllInstances(input)),
    action: adminProcedure.input(ZAdminInstanceAction).mutation(({ ctx, input }) => adminInstanceAction(ctx.actor, input)),
    retryProvisioning: adminProcedure.input(ZId).mutation(({ ctx, input }) => retryProvisioning(ctx.actor, input.id)),
    moveToStatus: adminProcedure.input(ZMoveToStatus).mutation(({ ctx, input }) => moveInstanceToStatus(ctx.actor, input)),
    /** Sets a customer's Odoo administrator password (audited, on the customer's timeline). */
    resetOdooPassword: adminProcedure
      .input(ZResetOdooPasswordInput)
      .mutation(({ ctx, input }) => resetOdooAdminPassword(ctx.actor, input)),
  }),
  dbServers: createTRPCRouter({
    list: adminProcedure.query(() => listDbServers()),
    add: adminProcedure.input(ZAddDbServer).mutation(({ ctx, input }) => addDbServer(ctx.actor, input)),
    setCapacity: adminProcedure.input(ZSetCapacity).mutation(({ ctx, input }) => setDbServerCapacity(ctx.actor, input)),
    setStatus: adminProcedure.input(ZSetDbServerStatus).mutation(({ ctx, input }) => setDbServerStatus(ctx.actor, input)),
    isolation: adminProcedure.input(ZId).query(({ input }) => getDbServerIsolation(input.id)),
    fixIsolation: adminProcedure.input(ZId).mutation(({ ctx, input }) => fixDbServerIsolation(ctx.actor, input.id)),
  }),
  queues: createTRPCRouter({
    list: adminProcedure.query(() => listQueues()),
    failed: adminProcedure.input(ZQueueRef).query(({ input }) => listFailedJobs(input.queue)),
    retry: adminProcedure.input(ZJobRef).mutation(({ ctx, input }) => retryJob(ctx.actor, input)),
    remove: adminProcedure.input(ZJobRef).mutation(({ ctx, input }) => removeJob(ctx.actor, input)),
  }),
  billingEvents: createTRPCRouter({
    list: adminProcedure.input(ZBillingEventQuery).query(({ input }) => listBillingEvents(input)),
    replay: adminProcedure.input(ZId).mutation(({ ctx, input }) => replayBillingEventAsAdmin(ctx.actor, input.id)),
  }),
  audit: createTRPCRouter({
    list: adminProcedure.input(ZAuditQuery).query(({ input }) => listAudit(input)),
  }),
});
