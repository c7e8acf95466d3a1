"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { LocalTime } from "@/components/instances/local-time";
import { StatusBadge } from "@/components/instances/status-badge";
import { isTransitional } from "@/components/instances/types";
import { useTRPC } from "@/components/providers/trpc-provider";
import { Button } from "@/components/ui/form";
import { AdminInstanceActions } from "./admin-instance-actions";
import { INSTANCE_STATUSES, type AdminInstanceFilters, type AdminInstanceRow } from "./types";
import { EmptyState, TextLink, inputClass } from "./ui";
import { Table, Td, Th } from "@/components/ui/table";

type Option = { value: string; label: string };
type FilterKey = keyof AdminInstanceFilters;

/** The fleet's instances with live statuses and per-row admin actions; filters live in the URL. */
export function AdminInstances({
  filters,
  initialInstances,
  options,
}: {
  filters: AdminInstanceFilters;
  initialInstances: AdminInstanceRow[];
  options: { plans: Option[]; versions: Option[]; servers: Option[] };
}) {
  const trpc = useTRPC();
  const { data: instances } = useQuery(
    trpc.admin.instances.list.queryOptions(filters, {
      initialData: initialInstances,
      refetchInterval: (query) =>
        (query.state.data ?? []).some((instance) => isTransitional(instance.status)) ? 3_000 : 10_000,
    }),
  );

  return (
    <div className="flex flex-col gap-6">
      <InstanceFilters key={JSON.stringify(filters)} filters={filters} options={options} />
      {instances.length === 0 ? (
        <EmptyState>No instance matches these filters.</EmptyState>
      ) : (
        <Table
          label="Instances"
          head={
            <>
              <Th>Instance · owner</Th>
              <Th>Odoo · plan</Th>
              <Th>Server</Th>
              <Th>Status</Th>
              <Th>Actions</Th>
            </>
          }
        >
          {instances.map((instance) => (
            <tr key={instance.id} data-testid="admin-instance-row" data-instance-id={instance.id}>
              <Td className="min-w-56">
                <p className="font-semibold text-slate-900">
                  {instance.name} <span className="font-mono text-xs font-normal text-slate-500">{instance.subdomain ?? ""}</span>
                </p>
                <p className="text-xs">
                  <TextLink href={`/admin/customers/${instance.owner.id}`}>{instance.owner.email}</TextLink>
                </p>
                <p className="text-xs text-slate-500">
                  Created <LocalTime date={instance.createdAt} />
                </p>
                {instance.statusMessage ? (
                  <p data-testid="instance-status-message" className="mt-1 max-w-80 text-xs text-slate-600">
                    {instance.statusMessage}
                  </p>
                ) : null}
              </Td>
              <Td className="whitespace-nowrap">
                {instance.odooVersion} · <span className="text-slate-600">{instance.planId}</span>
              </Td>
              <Td data-testid="instance-db-server" className="whitespace-nowrap">
                {instance.dbServer?.name ?? "—"}
              </Td>
              <Td>
                <StatusBadge status={instance.status} />
                {instance.status === "RUNNING" && instance.url ? (
                  <a
                    href={instance.url}
                    target="_blank"
                    rel="noopener noreferrer"
                    className="mt-1 block text-xs font-medium text-brand-600 hover:underline"
                  >
                    Open<span className="sr-only"> {instance.name}</span>
                  </a>
                ) : null}
              </Td>
              <Td>
                <AdminInstanceActions instance={instance} />
              </Td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}

function InstanceFilters({ filters, options }: { filters: AdminInstanceFilters; options: { plans: Option[]; versions: Option[]; servers: Option[] } }) {
  const router = useRouter();
  const pathname = usePathname();
  const [query, setQuery] = useState(filters.query ?? "");
  const [pending, startTransition] = useTransition();

  const navigate = (next: AdminInstanceFilters) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) if (value) params.set(key, String(value));
    const search = params.toString();
    startTransition(() => router.push(search ? `${pathname}?${search}` : pathname));
  };
  const choose = (key: FilterKey) => (value: string) => navigate({ ...filters, query: query.trim() || undefined, [key]: value || undefined });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    navigate({ ...filters, query: query.trim() || undefined });
  }

  const active = Object.values(filters).some(Boolean);

  return (
    <form
      role="search"
      aria-label="Filter instances"
      onSubmit={onSubmit}
      aria-busy={pending || undefined}
      className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-6"
      noValidate
    >
      <FilterSelect
        label="Status"
        name="status"
        value={filters.status ?? ""}
        onChange={choose("status")}
        options={INSTANCE_STATUSES.map((status) => ({ value: status, label: status }))}
      />
      <FilterSelect label="Odoo version" name="odooVersion" value={filters.odooVersion ?? ""} onChange={choose("odooVersion")} options={options.versions} />
      <FilterSelect label="Plan" name="planId" value={filters.planId ?? ""} onChange={choose("planId")} options={options.plans} />
      <FilterSelect label="Server" name="dbServerId" value={filters.dbServerId ?? ""} onChange={choose("dbServerId")} options={options.servers} />
      <div className="flex flex-col gap-1 text-sm lg:col-span-2">
        <label htmlFor="filter-query" className="font-medium text-slate-700">
          Search
        </label>
        <div className="flex gap-2">
          <input
            id="filter-query"
            name="query"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="Name, subdomain or owner"
            className={`${inputClass} min-w-0 flex-1`}
            autoComplete="off"
            spellCheck={false}
          />
          <Button type="submit" variant="secondary" disabled={pending}>
            Apply
          </Button>
        </div>
      </div>
      {active ? (
        <p className="text-sm sm:col-span-2 lg:col-span-6">
          <Link href={pathname} className="text-brand-600 hover:underline">
            Clear filters
          </Link>
        </p>
      ) : null}
    </form>
  );
}

function FilterSelect({
  label,
  name,
  value,
  onChange,
  options,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: Option[];
}) {
  const id = `filter-${name}`;
  return (
    <div className="flex flex-col gap-1 text-sm">
      <label htmlFor={id} className="font-medium text-slate-700">
        {label}
      </label>
      <select id={id} name={name} value={value} onChange={(event) => onChange(event.target.value)} className={inputClass}>
        <option value="">All</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
