"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { FormMessage } from "@/components/ui/form";
import { ACTIONS_ALLOWED, TRANSITIONS } from "@/server/domain/instances/instance-status";
import type { AdminInstanceAction, AdminInstanceRow } from "./types";
import { SmallButton } from "./small-button";
import { inputClass } from "./ui";

const allows = (action: AdminInstanceAction, status: AdminInstanceRow["status"]) =>
  (ACTIONS_ALLOWED[action] as readonly string[]).includes(status);

/**
 * One row's admin actions: Start / Stop / Restart, Delete behind a second click, Retry
 * provisioning for failed instances, and a manual status move with a reason (for the record).
 */
export function AdminInstanceActions({ instance }: { instance: Pick<AdminInstanceRow, "id" | "name" | "status"> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [moveTo, setMoveTo] = useState("");
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<string>();

  const refresh = () => queryClient.invalidateQueries(trpc.admin.pathFilter());
  const action = useMutation(
    trpc.admin.instances.action.mutationOptions({
      onSuccess: (data, variables) => setResult(`${capitalize(variables.action)} requested: now ${data.status}.`),
      onSettled: refresh,
    }),
  );
  const retry = useMutation(
    trpc.admin.instances.retryProvisioning.mutationOptions({
      onSuccess: (data) => setResult(`Provisioning retried: now ${data.status}.`),
      onSettled: refresh,
    }),
  );
  const move = useMutation(
    trpc.admin.instances.moveToStatus.mutationOptions({
      onSuccess: (data) => {
        setResult(`Moved to ${data.status}.`);
        setMoveTo("");
        setReason("");
      },
      onSettled: refresh,
    }),
  );

  const mutations = [action, retry, move];
  const busy = mutations.some((mutation) => mutation.isPending);
  const failed = mutations.find((mutation) => mutation.isError)?.error;
  const reset = () => {
    mutations.forEach((mutation) => mutation.reset());
    setResult(undefined);
  };
  const run = (name: AdminInstanceAction) => {
    reset();
    setConfirmingDelete(false);
    action.mutate({ id: instance.id, action: name });
  };
  const targets = TRANSITIONS[instance.status].filter((status) => status !== instance.status);

  function onMove(event: FormEvent) {
    event.preventDefault();
    if (!moveTo || !reason.trim()) return;
    reset();
    move.mutate({ id: instance.id, status: moveTo as AdminInstanceRow["status"], reason: reason.trim() });
  }

  const label = <span className="sr-only"> {instance.name}</span>;
  if (instance.status === "DELETED") return <span className="text-xs text-slate-500">—</span>;

  return (
    <div className="flex min-w-56 flex-col gap-2">
      <div className="flex flex-wrap gap-1">
        <SmallButton onClick={() => run("start")} disabled={busy || !allows("start", instance.status)}>
          Start{label}
        </SmallButton>
        <SmallButton onClick={() => run("stop")} disabled={busy || !allows("stop", instance.status)}>
          Stop{label}
        </SmallButton>
        <SmallButton onClick={() => run("restart")} disabled={busy || !allows("restart", instance.status)}>
          Restart{label}
        </SmallButton>
        {confirmingDelete ? (
          <>
            <SmallButton variant="danger" onClick={() => run("delete")} disabled={busy}>
              Confirm delete{label}
            </SmallButton>
            <SmallButton onClick={() => setConfirmingDelete(false)} disabled={busy}>
              Cancel
            </SmallButton>
          </>
        ) : (
          <SmallButton
            variant="danger"
            onClick={() => {
              reset();
              setConfirmingDelete(true);
            }}
            disabled={busy || !allows("delete", instance.status)}
          >
            Delete{label}
          </SmallButton>
        )}
        {instance.status === "ERROR" ? (
          <SmallButton
            variant="primary"
            onClick={() => {
              reset();
              retry.mutate({ id: instance.id });
            }}
            disabled={busy}
          >
            Retry provisioning{label}
          </SmallButton>
        ) : null}
      </div>
      {confirmingDelete ? (
        <p className="text-xs text-red-800">Deleting removes the container, its volume and its database for good.</p>
      ) : null}

      {targets.length > 0 ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-slate-600 hover:text-brand-600">Move to status…</summary>
          <form onSubmit={onMove} className="mt-2 flex flex-col gap-2" aria-label={`Move ${instance.name} to another status`} noValidate>
            <div className="flex flex-col gap-1">
              <label htmlFor={`${formId}-status`} className="text-xs font-medium text-slate-700">
                New status
              </label>
              <select
                id={`${formId}-status`}
                value={moveTo}
                onChange={(event) => setMoveTo(event.target.value)}
                className={inputClass}
              >
                <option value="">Choose…</option>
                {targets.map((status) => (
                  <option key={status} value={status}>
                    {status}
                  </option>
                ))}
              </select>
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={`${formId}-reason`} className="text-xs font-medium text-slate-700">
                Reason
              </label>
              <input
                id={`${formId}-reason`}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                placeholder="Why, for the timeline and the audit log"
                className={inputClass}
                maxLength={500}
              />
            </div>
            <div>
              <SmallButton type="submit" disabled={busy || !moveTo || !reason.trim()}>
                {move.isPending ? "Moving…" : "Move"}
              </SmallButton>
            </div>
          </form>
        </details>
      ) : null}

      {failed ? <FormMessage kind="error">{formErrors(failed).message}</FormMessage> : null}
      {result ? (
        <p role="status" className="text-xs text-emerald-800">
          {result}
        </p>
      ) : null}
    </div>
  );
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
