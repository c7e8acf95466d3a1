"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { LocalTime } from "@/components/instances/local-time";
import type { InstanceDetail } from "@/components/instances/types";
import { formErrors } from "@/components/trpc-errors";
import { Button, FormMessage } from "@/components/ui/form";
import { Table, Th } from "@/components/ui/table";
import { describeMissingCopies, formatBytes, KIND_LABEL } from "./format";
import { BACKUP_ALLOWED } from "@/server/domain/backups/backup-rules";
import { RestoreForm } from "./restore-form";
import { isBackupActive, type Backup, type BackupStatus } from "./types";

const POLL_MS = 2_000;

const STATUS_STYLES: Record<BackupStatus, string> = {
  PENDING: "bg-amber-50 text-amber-800 ring-amber-200",
  RUNNING: "bg-amber-50 text-amber-800 ring-amber-200",
  SUCCEEDED: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  FAILED: "bg-red-50 text-red-800 ring-red-200",
};

/** Same look as the small Button, for the download link (a plain link: the browser streams the zip). */
const smallLinkClass =
  "inline-flex items-center rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-semibold text-slate-800 shadow-sm transition hover:bg-slate-50";

/**
 * The instance's backups, newest first: back up now, download, restore. The list is polled
 * every 2 s while a backup is pending or running (and while the instance restores, which takes
 * a pre-restore backup), and reloaded when the instance's status changes.
 */
export function BackupsPanel({ instance }: { instance: Pick<InstanceDetail, "id" | "name" | "subdomain" | "status" | "adminEmail"> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [restoringId, setRestoringId] = useState<string | null>(null);
  const listKey = trpc.backups.list.queryKey({ id: instance.id });

  const list = useQuery(
    trpc.backups.list.queryOptions(
      { id: instance.id },
      {
        refetchInterval: (query) =>
          query.state.data?.some(isBackupActive) || instance.status === "RESTORING" ? POLL_MS : false,
      },
    ),
  );
  const { refetch } = list;
  const lastStatus = useRef(instance.status);
  useEffect(() => {
    if (lastStatus.current === instance.status) return;
    lastStatus.current = instance.status;
    void refetch();
  }, [instance.status, refetch]);

  const create = useMutation(
    trpc.backups.create.mutationOptions({
      onSuccess: (backup) => {
        // Shown (and polled) at once, before the refetch answers.
        queryClient.setQueryData(listKey, (current) =>
          current?.some((existing) => existing.id === backup.id) ? current : [backup, ...(current ?? [])],
        );
      },
      onSettled: () => queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );

  const backups = list.data ?? [];
  const active = backups.some(isBackupActive);
  const allowed = BACKUP_ALLOWED.includes(instance.status);
  const restoring = backups.find((backup) => backup.id === restoringId && backup.status === "SUCCEEDED");

  return (
    <section
      data-testid="backups-panel"
      aria-labelledby="backups-heading"
      className="flex flex-col gap-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h2 id="backups-heading" className="font-semibold">
          Backups
        </h2>
        <div className="flex items-center gap-3">
          <p role="status" className="text-sm text-slate-600">
            {active ? "Backing up…" : null}
          </p>
          <Button data-testid="backup-now" onClick={() => create.mutate({ id: instance.id })} disabled={!allowed || active || create.isPending}>
            Back up now
          </Button>
        </div>
      </div>
      {!allowed ? (
        <p className="text-sm text-slate-600">Backups can be taken while the instance is running or stopped.</p>
      ) : null}
      {create.isError ? (
        <FormMessage kind="error">
          {formErrors(create.error).message}
          {formErrors(create.error).planLimit ? (
            <>
              {" "}
              <a href="/pricing" data-testid="plan-limit-upgrade" className="font-semibold underline">
                Compare plans and their limits
              </a>
            </>
          ) : null}
        </FormMessage>
      ) : null}
      {list.isError ? <FormMessage kind="error">Could not load the backups: {formErrors(list.error).message}</FormMessage> : null}

      {list.isPending ? (
        <p className="text-sm text-slate-600">Loading backups…</p>
      ) : backups.length === 0 && !list.isError ? (
        <p className="text-sm text-slate-600">No backups yet.</p>
      ) : backups.length > 0 ? (
        <Table
          variant="inset"
          label={`Backups of ${instance.name}, newest first`}
          head={
            <>
              <Th>Date</Th>
              <Th>Kind</Th>
              <Th>Status</Th>
              <Th>Size</Th>
              <Th srOnly>Actions</Th>
            </>
          }
        >
          {backups.map((backup) => (
            <Fragment key={backup.id}>
              <BackupRow
                backup={backup}
                restoreOpen={restoring?.id === backup.id}
                onToggleRestore={() => setRestoringId((current) => (current === backup.id ? null : backup.id))}
              />
              {restoring?.id === backup.id ? (
                <tr>
                  <td colSpan={5}>
                    <RestoreForm backup={restoring} instance={instance} onClose={() => setRestoringId(null)} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </Table>
      ) : null}
    </section>
  );
}

function BackupRow({
  backup,
  restoreOpen,
  onToggleRestore,
}: {
  backup: Backup;
  restoreOpen: boolean;
  onToggleRestore: () => void;
}) {
  const usable = backup.status === "SUCCEEDED" && backup.storedIn !== "none";
  // The actions are described by the row's date, for screen readers ("Download", "March 3, …").
  const dateId = `backup-${backup.id}-date`;
  return (
    <tr data-testid="backup-row" data-status={backup.status} className="align-top">
      <td id={dateId} className="whitespace-nowrap text-slate-900">
        <LocalTime date={backup.createdAt} />
      </td>
      <td className="whitespace-nowrap text-slate-700">{KIND_LABEL[backup.kind]}</td>
      <td>
        <BackupStatusBadge status={backup.status} />
        {backup.status === "FAILED" ? (
          <p data-testid="backup-failure" className="mt-1 text-xs text-red-700">
            {backup.failureReason ?? "No reason was recorded."}
          </p>
        ) : null}
        {backup.status === "SUCCEEDED" && backup.storedIn === "partial" ? (
          <p data-testid="backup-partial" className="mt-1 text-xs text-amber-800">
            <span aria-hidden="true">⚠ </span>
            <span className="font-semibold">Partially stored:</span> {describeMissingCopies(backup.copies)}
          </p>
        ) : null}
        {backup.restoreTestError ? (
          <p data-testid="backup-restore-test-failed" className="mt-1 text-xs text-red-700">
            <span className="font-semibold">Restore test failed:</span> {backup.restoreTestError}
          </p>
        ) : backup.restoreTestedAt ? (
          <p className="mt-1 text-xs text-slate-600">
            Restore tested <LocalTime date={backup.restoreTestedAt} />
          </p>
        ) : null}
        {backup.status === "SUCCEEDED" && backup.storedIn === "none" ? (
          <p data-testid="backup-not-stored" className="mt-1 text-xs text-red-700">
            <span className="font-semibold">No stored copy:</span> {describeMissingCopies(backup.copies) || "nothing was kept"}
          </p>
        ) : null}
      </td>
      <td className="whitespace-nowrap text-slate-700">{formatBytes(backup.sizeBytes)}</td>
      <td>
        {usable ? (
          <div className="flex justify-end gap-2">
            <a
              href={`/api/backups/${backup.id}/download`}
              download
              data-testid="backup-download"
              aria-describedby={dateId}
              className={smallLinkClass}
            >
              Download
            </a>
            <Button
              size="sm"
              variant="secondary"
              data-testid="backup-restore"
              onClick={onToggleRestore}
              aria-describedby={dateId}
              aria-expanded={restoreOpen}
              aria-controls={restoreOpen ? "restore-panel" : undefined}
            >
              Restore
            </Button>
          </div>
        ) : null}
      </td>
    </tr>
  );
}

function BackupStatusBadge({ status }: { status: BackupStatus }) {
  const busy = status === "PENDING" || status === "RUNNING";
  return (
    <span
      aria-busy={busy || undefined}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-semibold tracking-wide ring-1 ring-inset ${STATUS_STYLES[status]}`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full bg-current ${busy ? "animate-pulse" : ""}`} />
      {status}
    </span>
  );
}
