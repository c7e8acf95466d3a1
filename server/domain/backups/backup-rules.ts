import type { InstanceStatus } from "../../generated/prisma/enums";

/**
 * Which instance statuses allow what, shared by the domain and the UI (no server-only imports).
 * A backup needs a database Odoo has initialised; a crashed instance (ERROR) still has one.
 */
export const BACKUP_ALLOWED: readonly InstanceStatus[] = ["RUNNING", "UNHEALTHY", "STOPPED", "STARTING", "RESTARTING", "ERROR"];

/** In place, a running or stopped instance can be restored; it returns to that state after. */
export const RESTORABLE_IN_PLACE: readonly InstanceStatus[] = ["RUNNING", "UNHEALTHY", "STOPPED"];
