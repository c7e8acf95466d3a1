"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/providers/trpc-provider";
import { linkButtonClass } from "./format";
import { StatusBadge } from "./status-badge";
import { isTransitional, type InstanceListItem } from "./types";

/** The customer's instances with live statuses: every 3 s while one is changing, else every 15 s. */
export function InstanceList({ initialInstances }: { initialInstances: InstanceListItem[] }) {
  const trpc = useTRPC();
  const { data: instances } = useQuery(
    trpc.instances.list.queryOptions(undefined, {
      initialData: initialInstances,
      refetchInterval: (query) =>
        (query.state.data ?? []).some((instance) => isTransitional(instance.status)) ? 3_000 : 15_000,
    }),
  );

  return (
    <section aria-labelledby="instances-heading" className="flex flex-col gap-4">
      <div className="flex items-center justify-between gap-4">
        <h2 id="instances-heading" className="text-xl font-semibold">
          Your instances
        </h2>
        <Link href="/instances/new" className={linkButtonClass("primary")}>
          New instance
        </Link>
      </div>
      {instances.length === 0 ? (
        <div className="flex flex-col items-center gap-3 rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
          <p className="font-medium">You have no instances yet.</p>
          <p className="max-w-md text-sm text-slate-600">
            Pick a plan and an Odoo version; your instance is ready about a minute later.
          </p>
          <Link href="/instances/new" className={linkButtonClass("primary")}>
            Create instance
          </Link>
        </div>
      ) : (
        <ul aria-label="Instances" className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white shadow-sm">
          {instances.map((instance) => (
            <li
              key={instance.id}
              data-testid="instance-row"
              data-instance-id={instance.id}
              className="flex flex-wrap items-center gap-x-6 gap-y-3 p-5"
            >
              <div className="min-w-0 flex-1">
                <Link href={`/instances/${instance.id}`} className="font-semibold text-brand-700 hover:underline">
                  {instance.name}
                </Link>
                <p className="mt-0.5 truncate text-sm text-slate-600">
                  {instance.subdomain ?? "—"} · Odoo {instance.odooVersion} · {instance.plan.displayName}
                </p>
                {instance.statusMessage ? (
                  <p className="mt-0.5 truncate text-xs text-slate-500">{instance.statusMessage}</p>
                ) : null}
              </div>
              <StatusBadge status={instance.status} />
              <div className="flex items-center gap-2">
                {instance.status === "RUNNING" && instance.url ? (
                  <a href={instance.url} target="_blank" rel="noopener noreferrer" className={linkButtonClass("primary")}>
                    Open<span className="sr-only"> {instance.name}</span>
                  </a>
                ) : null}
                <Link href={`/instances/${instance.id}`} className={linkButtonClass("secondary")}>
                  Manage<span className="sr-only"> {instance.name}</span>
                </Link>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
