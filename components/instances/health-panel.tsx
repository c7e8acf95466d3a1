"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, type ReactNode } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, FormMessage } from "@/components/ui/form";
import { formatUptime } from "./format";
import { LocalTime } from "./local-time";
import type { InstanceStatus } from "./types";

type Tone = "good" | "bad" | "neutral";
const TONE: Record<Tone, string> = { good: "text-emerald-700", bad: "text-red-700", neutral: "text-slate-600" };

/** Container state, uptime, Odoo's HTTP health and database reachability, checked on demand. */
export function HealthPanel({ instanceId, status }: { instanceId: string; status: InstanceStatus }) {
  const trpc = useTRPC();
  const health = useQuery(trpc.instances.health.queryOptions({ id: instanceId }, { staleTime: 0, retry: false }));
  const { refetch } = health;
  const lastStatus = useRef(status);

  useEffect(() => {
    if (lastStatus.current === status) return;
    lastStatus.current = status;
    void refetch();
  }, [status, refetch]);

  const data = health.data;
  const rows: { label: string; value: ReactNode; tone: Tone; testId: string }[] = data
    ? [
        {
          label: "Container",
          value: data.container
            ? `${data.container.state}${!data.container.running && data.container.exitCode !== null ? ` (exit code ${data.container.exitCode})` : ""}`
            : "No container",
          tone: data.container?.running ? "good" : data.container ? "bad" : "neutral",
          testId: "health-container",
        },
        {
          label: "Uptime",
          value: data.uptimeSeconds !== null ? formatUptime(data.uptimeSeconds) : "—",
          tone: "neutral",
          testId: "health-uptime",
        },
        {
          label: "HTTP health",
          value: data.httpHealthy ? "Healthy" : data.container?.running ? "Not responding" : "Not running",
          tone: data.httpHealthy ? "good" : data.container?.running ? "bad" : "neutral",
          testId: "health-http",
        },
        {
          label: "Database reachable",
          value: data.databaseReachable === null ? "Unknown" : data.databaseReachable ? "Yes" : "No",
          tone: data.databaseReachable === null ? "neutral" : data.databaseReachable ? "good" : "bad",
          testId: "health-database",
        },
      ]
    : [];

  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center justify-between gap-4">
        <p className="text-xs text-slate-500">
          {data ? (
            <>
              Checked <LocalTime date={data.checkedAt} />
            </>
          ) : (
            "Not checked yet"
          )}
        </p>
        <div className="shrink-0">
          <Button variant="secondary" onClick={() => void refetch()} disabled={health.isFetching}>
            {health.isFetching ? "Checking…" : "Refresh health"}
          </Button>
        </div>
      </div>
      {health.isError ? <FormMessage kind="error">{formErrors(health.error).message}</FormMessage> : null}
      {health.isPending ? <p className="text-sm text-slate-600">Checking…</p> : null}
      {rows.length > 0 ? (
        <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
          {rows.map((row) => (
            <div key={row.label} className="contents">
              <dt className="text-slate-600">{row.label}</dt>
              <dd data-testid={row.testId} className={`font-medium ${TONE[row.tone]}`}>
                {row.value}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}
