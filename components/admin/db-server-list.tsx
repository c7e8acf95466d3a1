"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { FormMessage } from "@/components/ui/form";
import { SmallButton } from "./small-button";
import type { DbServerIsolation, DbServerRow } from "./types";
import { EmptyState, Pill, inputClass } from "./ui";
import { Table, Td, Th } from "@/components/ui/table";

type ServerStatus = DbServerRow["status"];

const STATUS_TONE = { ACTIVE: "green", DRAINING: "amber", DISABLED: "slate" } as const satisfies Record<ServerStatus, string>;

/** What each status change is called on its button, and what it means. */
const STATUS_ACTIONS: { to: ServerStatus; label: string; title: string }[] = [
  { to: "ACTIVE", label: "Activate", title: "Accept new instances" },
  { to: "DRAINING", label: "Drain", title: "Keep existing instances, accept no new ones" },
  { to: "DISABLED", label: "Disable", title: "Take out of service: no new instances" },
];

type IsolationIssue = Extract<DbServerIsolation, { ok: true }>["findings"][number]["issue"];

const ISSUE_TEXT = {
  OPEN_TO_PUBLIC: "every role may connect, tenants included",
  TEMP_FOR_PUBLIC: "every role may create temporary tables",
  SCHEMA_CREATE_FOR_PUBLIC: "every role may create objects in schema public",
  CLOSED_TO_TENANTS: "tenant roles may not connect, so Odoo cannot start",
} as const satisfies Record<IsolationIssue, string>;

/** What an isolation check found: what the platform closed, what is open, the SQL for the rest. */
export function IsolationDetails({ report, expanded = false }: { report: DbServerIsolation; expanded?: boolean }) {
  if (!report.ok) return <p className="mt-1 text-xs text-amber-800">Could not check: {report.error}</p>;
  const open = report.findings.filter((finding) => !finding.fixed);
  const closed = report.findings.filter((finding) => finding.fixed);
  if (open.length === 0 && closed.length === 0) return null;
  return (
    <details open={expanded} className="mt-2 text-xs text-slate-700" data-testid="db-server-isolation-details">
      <summary className="cursor-pointer">{open.length > 0 ? "What is open" : "What the platform closed"}</summary>
      <ul className="mt-1 list-disc pl-4">
        {report.findings.map((finding) => (
          <li key={`${finding.database}-${finding.issue}`}>
            <span className="font-mono">{finding.database}</span>: {ISSUE_TEXT[finding.issue]}
            {finding.fixed ? " — closed by the platform" : finding.fixable ? " — the platform may close it" : ""}
          </li>
        ))}
      </ul>
      {report.operatorSql.length > 0 ? (
        <>
          <p className="mt-2">Run as a superuser of this server, connected to database postgres:</p>
          <pre className="mt-1 whitespace-pre-wrap break-all rounded bg-slate-100 p-2 font-mono" data-testid="db-server-isolation-sql">
            {report.operatorSql.join("\n")}
          </pre>
        </>
      ) : null}
    </details>
  );
}

/** Whether tenants of this server can reach databases other than their own, and a way to close them. */
function IsolationCell({ serverId }: { serverId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const check = useQuery(
    trpc.admin.dbServers.isolation.queryOptions({ id: serverId }, { staleTime: 5 * 60_000, refetchOnWindowFocus: false }),
  );
  const fix = useMutation(
    trpc.admin.dbServers.fixIsolation.mutationOptions({
      onSuccess: (report) => queryClient.setQueryData(trpc.admin.dbServers.isolation.queryKey({ id: serverId }), report),
    }),
  );
  const report = check.data;
  if (!report) {
    return <Pill tone="slate" testId="db-server-isolation">{check.error ? "Not checked" : "Checking…"}</Pill>;
  }
  const open = report.ok ? report.findings.filter((finding) => !finding.fixed) : [];
  return (
    <>
      {!report.ok ? (
        <Pill tone="amber" testId="db-server-isolation">Not checked</Pill>
      ) : open.length === 0 ? (
        <Pill tone="green" testId="db-server-isolation">Closed</Pill>
      ) : (
        <Pill tone="red" testId="db-server-isolation">{`${open.length} open`}</Pill>
      )}
      {open.some((finding) => finding.fixable) ? (
        <div className="mt-1">
          <SmallButton disabled={fix.isPending} onClick={() => fix.mutate({ id: serverId })}>
            Close what the platform may
          </SmallButton>
        </div>
      ) : null}
      <IsolationDetails report={report} />
    </>
  );
}

export function DbServerList({ initialServers }: { initialServers: DbServerRow[] }) {
  const trpc = useTRPC();
  const { data: servers } = useQuery(
    trpc.admin.dbServers.list.queryOptions(undefined, { initialData: initialServers, refetchInterval: 15_000 }),
  );
  if (servers.length === 0) return <EmptyState>No database server yet: add one below.</EmptyState>;
  return (
    <Table
      label="Database servers"
      head={
        <>
          <Th>Server</Th>
          <Th>Connection</Th>
          <Th>Status</Th>
          <Th>Isolation</Th>
          <Th>Used / capacity</Th>
          <Th>Capacity</Th>
          <Th>Change status</Th>
        </>
      }
    >
      {servers.map((server) => (
        <DbServerRowView key={server.id} server={server} />
      ))}
    </Table>
  );
}

function DbServerRowView({ server }: { server: DbServerRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const inputId = useId();
  const [capacity, setCapacity] = useState(String(server.maxInstances));
  const [result, setResult] = useState<string>();
  const refresh = () => queryClient.invalidateQueries(trpc.admin.pathFilter());

  const setStatus = useMutation(
    trpc.admin.dbServers.setStatus.mutationOptions({
      onSuccess: (_data, variables) => setResult(`Now ${variables.status}.`),
      onSettled: refresh,
    }),
  );
  const setMax = useMutation(
    trpc.admin.dbServers.setCapacity.mutationOptions({
      onSuccess: (_data, variables) => setResult(`Capacity set to ${variables.maxInstances}.`),
      onSettled: refresh,
    }),
  );
  const busy = setStatus.isPending || setMax.isPending;
  const failed = setStatus.error ?? setMax.error;
  const reset = () => {
    setStatus.reset();
    setMax.reset();
    setResult(undefined);
  };

  function onCapacity(event: FormEvent) {
    event.preventDefault();
    reset();
    setMax.mutate({ id: server.id, maxInstances: Number(capacity) });
  }

  const percent = server.maxInstances > 0 ? Math.min(100, Math.round((server.used / server.maxInstances) * 100)) : 100;
  const barColor = percent >= 90 ? "bg-red-500" : percent >= 70 ? "bg-amber-500" : "bg-emerald-500";

  return (
    <tr data-testid="db-server-row" data-server-id={server.id} data-server-name={server.name}>
      <Td>
        <p className="font-semibold text-slate-900">{server.name}</p>
      </Td>
      <Td className="text-xs text-slate-600">
        <p className="font-mono">
          {server.host}:{server.port}
        </p>
        <p>
          containers: <span className="font-mono">{server.containerHost}</span>
        </p>
        <p>
          manager: <span className="font-mono">{server.managerUser}</span>
        </p>
      </Td>
      <Td>
        <Pill tone={STATUS_TONE[server.status]} testId="db-server-status">
          {server.status}
        </Pill>
      </Td>
      <Td className="max-w-md">
        <IsolationCell serverId={server.id} />
      </Td>
      <Td className="min-w-40">
        <p className="tabular-nums" data-testid="db-server-usage">
          {server.used} / {server.maxInstances}
        </p>
        <div
          role="meter"
          aria-label={`${server.name} usage`}
          aria-valuemin={0}
          aria-valuemax={server.maxInstances}
          aria-valuenow={server.used}
          className="mt-1 h-2 w-full overflow-hidden rounded-full bg-slate-100"
        >
          <div className={`h-full ${barColor}`} style={{ width: `${percent}%` }} />
        </div>
      </Td>
      <Td>
        <form onSubmit={onCapacity} className="flex items-center gap-2" noValidate>
          <label htmlFor={inputId} className="sr-only">
            Capacity of {server.name}
          </label>
          <input
            id={inputId}
            type="number"
            min={0}
            value={capacity}
            onChange={(event) => setCapacity(event.target.value)}
            className={`${inputClass} w-20 py-1`}
          />
          <SmallButton type="submit" disabled={busy || capacity === String(server.maxInstances)}>
            Save<span className="sr-only"> capacity of {server.name}</span>
          </SmallButton>
        </form>
      </Td>
      <Td>
        <div className="flex flex-wrap gap-1">
          {STATUS_ACTIONS.filter((action) => action.to !== server.status).map((action) => (
            <SmallButton
              key={action.to}
              variant={action.to === "DISABLED" ? "danger" : "secondary"}
              title={action.title}
              disabled={busy}
              onClick={() => {
                reset();
                setStatus.mutate({ id: server.id, status: action.to });
              }}
            >
              {action.label}
              <span className="sr-only"> {server.name}</span>
            </SmallButton>
          ))}
        </div>
        {failed ? (
          <div className="mt-2">
            <FormMessage kind="error">{formErrors(failed).message}</FormMessage>
          </div>
        ) : null}
        {result ? (
          <p role="status" className="mt-2 text-xs text-emerald-800">
            {result}
          </p>
        ) : null}
      </Td>
    </tr>
  );
}
