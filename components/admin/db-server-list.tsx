"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { FormMessage } from "@/components/ui/form";
import { SmallButton } from "./small-button";
import type { DbServerRow } from "./types";
import { EmptyState, Pill, Table, Td, Th, inputClass } from "./ui";

type ServerStatus = DbServerRow["status"];

const STATUS_TONE = { ACTIVE: "green", DRAINING: "amber", DISABLED: "slate" } as const satisfies Record<ServerStatus, string>;

/** What each status change is called on its button, and what it means. */
const STATUS_ACTIONS: { to: ServerStatus; label: string; title: string }[] = [
  { to: "ACTIVE", label: "Activate", title: "Accept new instances" },
  { to: "DRAINING", label: "Drain", title: "Keep existing instances, accept no new ones" },
  { to: "DISABLED", label: "Disable", title: "Take out of service: no new instances" },
];

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
