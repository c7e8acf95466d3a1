import { isTransitional, type InstanceStatus } from "./types";

const STYLES: Record<InstanceStatus, string> = {
  PENDING_PAYMENT: "bg-sky-50 text-sky-800 ring-sky-200",
  PROVISIONING: "bg-amber-50 text-amber-800 ring-amber-200",
  STARTING: "bg-amber-50 text-amber-800 ring-amber-200",
  RUNNING: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  UNHEALTHY: "bg-red-50 text-red-800 ring-red-200",
  STOPPING: "bg-amber-50 text-amber-800 ring-amber-200",
  STOPPED: "bg-slate-100 text-slate-700 ring-slate-200",
  RESTARTING: "bg-amber-50 text-amber-800 ring-amber-200",
  RESTORING: "bg-amber-50 text-amber-800 ring-amber-200",
  SUSPENDED: "bg-rose-50 text-rose-800 ring-rose-200",
  DELETING: "bg-amber-50 text-amber-800 ring-amber-200",
  DELETED: "bg-slate-100 text-slate-500 ring-slate-200",
  ERROR: "bg-red-50 text-red-800 ring-red-200",
};

/** Statuses that wait on the customer rather than on the platform, in their words. */
const LABELS: Partial<Record<InstanceStatus, string>> = {
  PENDING_PAYMENT: "Awaiting payment",
  SUSPENDED: "Suspended",
};

/**
 * The status word (RUNNING, STOPPED…, or a label for the billing states) in a colored pill;
 * pulses while the worker is busy. data-status carries the status itself.
 */
export function StatusBadge({ status }: { status: InstanceStatus }) {
  const busy = isTransitional(status);
  return (
    <span
      data-testid="instance-status"
      data-status={status}
      aria-busy={busy || undefined}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-semibold tracking-wide ring-1 ring-inset ${STYLES[status]}`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full bg-current ${busy ? "animate-pulse" : ""}`} />
      {LABELS[status] ?? status}
    </span>
  );
}
