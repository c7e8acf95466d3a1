"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { LocalTime } from "@/components/instances/local-time";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, FormMessage } from "@/components/ui/form";
import type { FailedJob, QueueSummary } from "./types";
import { EmptyState, cardClass } from "./ui";
import { Table, Td, Th } from "@/components/ui/table";

type QueueName = QueueSummary["name"];

const COUNTS = ["waiting", "active", "delayed", "failed", "completed"] as const;

/** Job counts per queue and each queue's failed jobs, refreshed every 5 s. */
export function QueuesView({
  initialQueues,
  initialFailed,
}: {
  initialQueues: QueueSummary[];
  initialFailed: { queue: QueueName; jobs: FailedJob[] }[];
}) {
  const trpc = useTRPC();
  const { data: queues } = useQuery(
    trpc.admin.queues.list.queryOptions(undefined, { initialData: initialQueues, refetchInterval: 5_000 }),
  );

  return (
    <>
      <Table
        label="Queues"
        head={
          <>
            <Th>Queue</Th>
            {COUNTS.map((count) => (
              <Th key={count} className="text-right">
                {count}
              </Th>
            ))}
          </>
        }
      >
        {queues.map((queue) => (
          <tr key={queue.name} data-testid="queue-row" data-queue={queue.name}>
            <Td className="font-semibold">{queue.name}</Td>
            {COUNTS.map((count) => (
              <Td
                key={count}
                data-testid={`queue-${count}`}
                className={`text-right tabular-nums ${count === "failed" && queue.counts.failed > 0 ? "font-semibold text-red-700" : ""}`}
              >
                {queue.counts[count]}
              </Td>
            ))}
          </tr>
        ))}
      </Table>

      {queues.map((queue) => (
        <FailedJobs
          key={queue.name}
          queue={queue.name}
          initialJobs={initialFailed.find((entry) => entry.queue === queue.name)?.jobs}
        />
      ))}
    </>
  );
}

function FailedJobs({ queue, initialJobs }: { queue: QueueName; initialJobs?: FailedJob[] }) {
  const trpc = useTRPC();
  const { data: jobs = [] } = useQuery(
    trpc.admin.queues.failed.queryOptions({ queue }, { initialData: initialJobs, refetchInterval: 5_000 }),
  );
  const headingId = `failed-${queue}`;
  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-4">
      <h2 id={headingId} className="text-xl font-semibold">
        Failed jobs in “{queue}”
      </h2>
      {jobs.length === 0 ? (
        <EmptyState>No failed jobs in this queue.</EmptyState>
      ) : (
        <ul aria-label={`Failed jobs in ${queue}`} className="flex flex-col gap-3">
          {jobs.map((job) => (
            <FailedJobCard key={job.id} queue={queue} job={job} />
          ))}
        </ul>
      )}
    </section>
  );
}

function FailedJobCard({ queue, job }: { queue: QueueName; job: FailedJob }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<string>();
  const refresh = () => queryClient.invalidateQueries(trpc.admin.queues.pathFilter());
  const retry = useMutation(
    trpc.admin.queues.retry.mutationOptions({ onSuccess: () => setResult("Retried: the job is queued again."), onSettled: refresh }),
  );
  const remove = useMutation(
    trpc.admin.queues.remove.mutationOptions({ onSuccess: () => setResult("Removed."), onSettled: refresh }),
  );
  const busy = retry.isPending || remove.isPending || retry.isSuccess || remove.isSuccess;
  const failed = retry.error ?? remove.error;

  return (
    <li data-testid="failed-job" data-job-id={job.id} data-job-name={job.name} className={`${cardClass} flex flex-col gap-3`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="font-semibold text-slate-900">
            <span data-testid="failed-job-name">{job.name}</span>{" "}
            <span className="font-mono text-xs font-normal text-slate-500">#{job.id}</span>
          </p>
          <p className="text-xs text-slate-500">
            {job.attemptsMade} attempt{job.attemptsMade === 1 ? "" : "s"}
            {job.finishedOn ? (
              <>
                {" "}
                · failed <LocalTime date={new Date(job.finishedOn)} />
              </>
            ) : null}
          </p>
        </div>
        <div className="flex gap-2">
          <Button
            onClick={() => {
              setResult(undefined);
              retry.mutate({ queue, jobId: job.id });
            }}
            disabled={busy || !job.id}
          >
            Retry<span className="sr-only"> job {job.id}</span>
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              setResult(undefined);
              remove.mutate({ queue, jobId: job.id });
            }}
            disabled={busy || !job.id}
          >
            Remove<span className="sr-only"> job {job.id}</span>
          </Button>
        </div>
      </div>
      <p data-testid="failed-job-reason" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800">
        {job.failedReason || "No reason recorded."}
      </p>
      <p className="text-xs text-slate-600">
        Data: <code data-testid="failed-job-data" className="break-all font-mono">{JSON.stringify(job.data)}</code>
      </p>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-600 hover:text-brand-600">Stack trace</summary>
        <pre className="mt-2 max-h-80 overflow-auto rounded-lg bg-slate-900 p-3 font-mono text-xs text-slate-100">
          {job.stacktrace.length > 0 ? job.stacktrace.join("\n\n") : "No stack trace recorded."}
        </pre>
      </details>
      {failed ? <FormMessage kind="error">{formErrors(failed).message}</FormMessage> : null}
      {result ? (
        <p role="status" className="text-sm text-emerald-800">
          {result}
        </p>
      ) : null}
    </li>
  );
}
