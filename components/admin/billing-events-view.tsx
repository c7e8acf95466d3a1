"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { LocalTime } from "@/components/instances/local-time";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, FormMessage } from "@/components/ui/form";
import type { BillingEventRow, BillingEventsFilter } from "./types";
import { EmptyState, Pill, inputClass } from "./ui";
import { Table, Td, Th } from "@/components/ui/table";

const STATUS_TONE: Record<BillingEventRow["status"], "green" | "amber" | "red" | "slate"> = {
  RECEIVED: "amber",
  PROCESSED: "green",
  IGNORED: "slate",
  REJECTED: "red",
  FAILED: "red",
};
const SOURCES = ["KILLBILL", "BUILTIN", "PAYNOW"] as const;
const STATUSES = ["RECEIVED", "PROCESSED", "IGNORED", "REJECTED", "FAILED"] as const;

/** Stored billing notifications, filterable, refreshed every 5 s, each replayable. */
export function BillingEventsView({ initialEvents }: { initialEvents: BillingEventRow[] }) {
  const trpc = useTRPC();
  const [filter, setFilter] = useState<BillingEventsFilter>({ take: 100 });
  const unfiltered = !filter.source && !filter.status;
  const { data: events = [] } = useQuery(
    trpc.admin.billingEvents.list.queryOptions(filter, { initialData: unfiltered ? initialEvents : undefined, refetchInterval: 5_000 }),
  );
  return (
    <>
      <div className="flex flex-wrap gap-3 text-sm">
        <label className="flex items-center gap-2">
          Source
          <select
            className={inputClass}
            value={filter.source ?? ""}
            onChange={(e) => setFilter({ ...filter, source: (e.target.value || undefined) as BillingEventsFilter["source"] })}
          >
            <option value="">All</option>
            {SOURCES.map((source) => (
              <option key={source}>{source}</option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-2">
          Result
          <select
            className={inputClass}
            value={filter.status ?? ""}
            onChange={(e) => setFilter({ ...filter, status: (e.target.value || undefined) as BillingEventsFilter["status"] })}
          >
            <option value="">All</option>
            {STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
      </div>
      {events.length === 0 ? (
        <EmptyState>No billing deliveries match.</EmptyState>
      ) : (
        <Table
          label="Billing deliveries"
          head={
            <>
              <Th>Received</Th>
              <Th>Source</Th>
              <Th>Event</Th>
              <Th>Object</Th>
              <Th className="text-right">Deliveries</Th>
              <Th>Result</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </>
          }
        >
          {events.map((event) => (
            <EventRow key={event.id} event={event} />
          ))}
        </Table>
      )}
    </>
  );
}

function EventRow({ event }: { event: BillingEventRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const replay = useMutation(
    trpc.admin.billingEvents.replay.mutationOptions({ onSettled: () => queryClient.invalidateQueries(trpc.admin.billingEvents.pathFilter()) }),
  );
  return (
    <tr data-testid="billing-event" data-event-type={event.eventType} data-status={event.status}>
      <Td className="whitespace-nowrap">
        <LocalTime date={event.receivedAt} />
      </Td>
      <Td>{event.source.toLowerCase()}</Td>
      <Td className="font-mono text-xs">{event.eventType}</Td>
      <Td className="max-w-48 break-all font-mono text-xs">
        {event.objectType ? `${event.objectType} ` : ""}
        {event.objectId ?? "—"}
      </Td>
      <Td className="text-right tabular-nums">{event.deliveries}</Td>
      <Td>
        <Pill tone={STATUS_TONE[event.status]}>{event.status.toLowerCase()}</Pill>
        {event.result ? <p className="mt-1 max-w-80 text-xs text-slate-600">{event.result}</p> : null}
        {replay.isSuccess ? (
          <p role="status" className="mt-1 text-xs text-emerald-800">
            Replay queued
          </p>
        ) : null}
        {replay.error ? <FormMessage kind="error">{formErrors(replay.error).message}</FormMessage> : null}
      </Td>
      <Td>
        <Button onClick={() => replay.mutate({ id: event.id })} disabled={replay.isPending}>
          Replay<span className="sr-only"> {event.eventType} event</span>
        </Button>
      </Td>
    </tr>
  );
}
