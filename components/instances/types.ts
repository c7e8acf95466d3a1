import type { inferRouterOutputs } from "@trpc/server";
import type { InstanceStatus } from "@/server/generated/prisma/enums";
import { TRANSITIONAL } from "@/server/domain/instances/instance-status";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;

export type { InstanceStatus };
export type InstanceListItem = Outputs["instances"]["list"][number];
export type InstanceDetail = Outputs["instances"]["get"];
export type InstanceEvent = Outputs["instances"]["events"][number];
export type Plan = Outputs["plans"]["list"][number];

/** The worker is still working on it: poll faster. */
export function isTransitional(status: InstanceStatus): boolean {
  return TRANSITIONAL.includes(status);
}
