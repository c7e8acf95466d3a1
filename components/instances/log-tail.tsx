"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, FormMessage } from "@/components/ui/form";
import { LocalTime } from "./local-time";
import type { InstanceStatus } from "./types";

const LINES = 200;

/** The last 200 lines of the container's output; fetched on load, on Refresh and when the status changes. */
export function LogTail({ instanceId, status }: { instanceId: string; status: InstanceStatus }) {
  const trpc = useTRPC();
  const logs = useQuery(trpc.instances.logs.queryOptions({ id: instanceId, lines: LINES }, { staleTime: 0, retry: false }));
  const { refetch } = logs;
  const box = useRef<HTMLPreElement>(null);
  const lastStatus = useRef(status);

  useEffect(() => {
    if (lastStatus.current === status) return;
    lastStatus.current = status;
    void refetch();
  }, [status, refetch]);

  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [logs.data]);

  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center justify-between gap-4">
        <p className="text-xs text-slate-500">
          Last {LINES} lines
          {logs.dataUpdatedAt ? (
            <>
              {" · fetched "}
              <LocalTime date={new Date(logs.dataUpdatedAt)} />
            </>
          ) : null}
        </p>
        <div className="shrink-0">
          <Button variant="secondary" onClick={() => void refetch()} disabled={logs.isFetching}>
            {logs.isFetching ? "Refreshing…" : "Refresh logs"}
          </Button>
        </div>
      </div>
      {logs.isError ? <FormMessage kind="error">{formErrors(logs.error).message}</FormMessage> : null}
      {logs.data && !logs.data.available ? (
        <p className="text-sm text-slate-600">No container yet: logs appear once the instance has been created.</p>
      ) : (
        <pre
          ref={box}
          data-testid="instance-logs"
          tabIndex={0}
          aria-label="Log output"
          className="max-h-96 min-h-24 overflow-auto rounded-lg bg-slate-900 p-4 font-mono text-xs leading-relaxed whitespace-pre text-slate-100"
        >
          {logs.isPending ? "Loading…" : logs.data?.lines.length ? logs.data.lines.join("\n") : "(no output yet)"}
        </pre>
      )}
    </div>
  );
}
