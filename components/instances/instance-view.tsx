"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, type ReactNode } from "react";
import { BackupsPanel } from "@/components/backups/backups-panel";
import { useTRPC } from "@/components/providers/trpc-provider";
import { FormMessage } from "@/components/ui/form";
import { formatCpu, formatMemory, linkButtonClass } from "./format";
import { HealthPanel } from "./health-panel";
import { InstanceActions } from "./instance-actions";
import { LocalTime } from "./local-time";
import { LogTail } from "./log-tail";
import { OdooLoginPanel } from "./odoo-login-panel";
import { StatusBadge } from "./status-badge";
import { Timeline } from "./timeline";
import { isTransitional, type InstanceDetail, type InstanceEvent } from "./types";

/**
 * One instance, live: the instance and its timeline are polled every 1.5 s while the worker is
 * busy with it, every 2 s while it waits for payment (a trial starts within seconds), every 10 s
 * otherwise; the timeline also reloads as soon as the status changes.
 */
export function InstanceView({ initialInstance, initialEvents }: { initialInstance: InstanceDetail; initialEvents: InstanceEvent[] }) {
  const trpc = useTRPC();
  const id = initialInstance.id;
  const pollEvery = (status: InstanceDetail["status"] | undefined) =>
    status && isTransitional(status) ? 1_500 : status === "PENDING_PAYMENT" ? 2_000 : 10_000;

  const instanceQuery = useQuery(
    trpc.instances.get.queryOptions(
      { id },
      { initialData: initialInstance, refetchInterval: (query) => pollEvery(query.state.data?.status), retry: false },
    ),
  );
  const instance = instanceQuery.data;
  const eventsQuery = useQuery(
    trpc.instances.events.queryOptions({ id }, { initialData: initialEvents, refetchInterval: pollEvery(instance.status) }),
  );
  const gone = instanceQuery.error?.data?.code === "NOT_FOUND";
  // A new status has a timeline entry: fetch it now rather than at the next (slower) poll.
  const { refetch: refetchEvents } = eventsQuery;
  const statusChangedAt = new Date(instance.statusChangedAt).getTime();
  useEffect(() => {
    void refetchEvents();
  }, [statusChangedAt, refetchEvents]);

  return (
    <div className="flex flex-col gap-6">
      <Link href="/dashboard" className="text-sm text-brand-600 hover:underline">
        ← All instances
      </Link>

      {gone ? (
        <FormMessage kind="error">
          This instance no longer exists. <Link href="/dashboard" className="font-semibold underline">Back to the dashboard</Link>
        </FormMessage>
      ) : null}

      <section className="flex flex-col gap-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-3">
              <h1 className="text-3xl font-bold tracking-tight">{instance.name}</h1>
              <StatusBadge status={instance.status} />
            </div>
            <p className="mt-1 text-slate-600">
              {instance.subdomain ?? "—"} · Odoo {instance.odooVersion} · {instance.plan.displayName} plan
            </p>
            {instance.statusMessage && !hasBillingNotice(instance.status) ? (
              <p data-testid="instance-status-message" className="mt-2 text-sm text-slate-700">
                {instance.statusMessage}
              </p>
            ) : null}
          </div>
          {instance.status === "RUNNING" && instance.url ? (
            <a href={instance.url} target="_blank" rel="noopener noreferrer" className={linkButtonClass("primary")}>
              Open
            </a>
          ) : null}
        </div>
        {hasBillingNotice(instance.status) ? <BillingNotice instance={instance} /> : null}
        <OdooLoginPanel instance={instance} />
        <InstanceActions instance={instance} />
      </section>

      <div className="grid gap-6 lg:grid-cols-5">
        <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm lg:col-span-3">
          <h2 className="mb-4 font-semibold">Timeline</h2>
          <Timeline events={eventsQuery.data} />
        </section>
        <div className="flex flex-col gap-6 lg:col-span-2">
          <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 className="mb-4 font-semibold">Health</h2>
            <HealthPanel instanceId={id} status={instance.status} />
          </section>
          <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 className="mb-4 font-semibold">Details</h2>
            <InstanceDetails instance={instance} />
          </section>
        </div>
      </div>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="mb-4 font-semibold">Logs</h2>
        <LogTail instanceId={id} status={instance.status} />
      </section>

      <BackupsPanel instance={instance} />
    </div>
  );
}

const hasBillingNotice = (status: InstanceDetail["status"]) => status === "PENDING_PAYMENT" || status === "SUSPENDED";

/**
 * Why the instance is not running and what the customer can do: pay the first invoice, or the
 * overdue one of a billing suspension (whose message starts "Suspended: invoice"). A trial
 * waits here only for the second or so billing takes to confirm it.
 */
function BillingNotice({ instance }: { instance: Pick<InstanceDetail, "status" | "statusMessage"> }) {
  const message = instance.statusMessage;
  const startingTrial = instance.status === "PENDING_PAYMENT" && Boolean(message?.startsWith("Starting your free trial"));
  const title = instance.status === "SUSPENDED" ? "Suspended" : startingTrial ? "Starting your free trial" : "Waiting for payment";
  const explanation =
    instance.status === "SUSPENDED"
      ? "Your instance is stopped and its data is kept."
      : startingTrial
        ? "Your instance is set up as soon as the trial is confirmed."
        : "Your instance is set up as soon as its first invoice is paid.";
  const billingLink =
    instance.status === "SUSPENDED"
      ? message?.startsWith("Suspended: invoice")
        ? "Pay the invoice"
        : null
      : startingTrial
        ? null
        : "Go to billing";
  const tone = instance.status === "SUSPENDED" ? "border-rose-200 bg-rose-50 text-rose-900" : "border-sky-200 bg-sky-50 text-sky-900";
  return (
    <div data-testid="instance-billing-notice" aria-labelledby="billing-notice-heading" role="region" className={`flex flex-col gap-1 rounded-lg border p-4 text-sm ${tone}`}>
      <h2 id="billing-notice-heading" className="font-semibold">
        {title}
      </h2>
      {message ? <p data-testid="instance-status-message">{message}</p> : null}
      <p>{explanation}</p>
      {billingLink ? (
        <p className="mt-1">
          <Link href="/billing" className="font-semibold underline">
            {billingLink}
          </Link>
        </p>
      ) : null}
    </div>
  );
}

/** Configuration; environment variable values are not shown (they may hold customer secrets). */
function InstanceDetails({ instance }: { instance: InstanceDetail }) {
  const envKeys = instance.envVars && typeof instance.envVars === "object" && !Array.isArray(instance.envVars) ? Object.keys(instance.envVars) : [];
  const rows: [string, ReactNode][] = [
    ["Resources", `${formatCpu(instance.cpuLimit)} · ${formatMemory(instance.memoryMb)} memory · ${instance.storageGb} GB storage`],
    ["Database", instance.dbName ? <code className="font-mono text-xs" data-testid="instance-database">{instance.dbName}</code> : "—"],
    ["Admin email", instance.adminEmail],
    ["Odoo language", instance.odooLang],
    ["Odoo time zone", instance.odooTimezone],
    ["Demo data", instance.demoData ? "Yes" : "No"],
    ["Custom addons", instance.customAddons.length ? instance.customAddons.join(", ") : "None"],
    ["Environment variables", envKeys.length ? envKeys.join(", ") : "None"],
    ["Created", <LocalTime key="created" date={instance.createdAt} />],
    ["First healthy", instance.initializedAt ? <LocalTime key="init" date={instance.initializedAt} /> : "Not yet"],
    ["Status since", <LocalTime key="since" date={instance.statusChangedAt} />],
  ];
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-slate-600">{label}</dt>
          <dd className="min-w-0 text-slate-900 [overflow-wrap:anywhere]">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
