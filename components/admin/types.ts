import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { DbServerStatus, InstanceStatus } from "@/server/generated/prisma/enums";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>["admin"];
type Inputs = inferRouterInputs<AppRouter>["admin"];

export type AdminOverview = Outputs["overview"];
export type CustomerRow = Outputs["customers"]["search"][number];
export type CustomerDetail = Outputs["customers"]["get"];
export type AdminInstanceRow = Outputs["instances"]["list"][number];
export type AdminInstanceFilters = NonNullable<Inputs["instances"]["list"]>;
export type AdminInstanceAction = Inputs["instances"]["action"]["action"];
export type DbServerRow = Outputs["dbServers"]["list"][number];
export type DbServerIsolation = Outputs["dbServers"]["isolation"];
export type QueueSummary = Outputs["queues"]["list"][number];
export type FailedJob = Outputs["queues"]["failed"][number];
export type AuditEntry = Outputs["audit"]["list"][number];
export type BillingEventRow = Outputs["billingEvents"]["list"][number];
export type BillingEventsFilter = Inputs["billingEvents"]["list"];

/** Every instance status, in the order of the state machine (for selects and overview cards). */
export const INSTANCE_STATUSES = Object.values(InstanceStatus);
export const DB_SERVER_STATUSES = Object.values(DbServerStatus);

export function isInstanceStatus(value: unknown): value is InstanceStatus {
  return typeof value === "string" && (INSTANCE_STATUSES as string[]).includes(value);
}
