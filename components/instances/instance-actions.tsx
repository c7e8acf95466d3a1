"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";
import { ACTIONS_ALLOWED, type InstanceAction } from "@/server/domain/instances/instance-status";
import type { InstanceDetail } from "./types";

const allows = (action: InstanceAction, status: InstanceDetail["status"]) =>
  (ACTIONS_ALLOWED[action] as readonly string[]).includes(status);

/** Start / Stop / Restart / Refresh status, and Delete behind a type-the-subdomain confirmation. */
export function InstanceActions({ instance }: { instance: Pick<InstanceDetail, "id" | "name" | "subdomain" | "status"> }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");

  const refreshAll = () => queryClient.invalidateQueries(trpc.instances.pathFilter());
  const start = useMutation(trpc.instances.start.mutationOptions({ onSettled: refreshAll }));
  const stop = useMutation(trpc.instances.stop.mutationOptions({ onSettled: refreshAll }));
  const restart = useMutation(trpc.instances.restart.mutationOptions({ onSettled: refreshAll }));
  const refreshStatus = useMutation(trpc.instances.refreshStatus.mutationOptions({ onSettled: refreshAll }));
  const remove = useMutation(
    trpc.instances.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() });
        router.push("/dashboard");
      },
      onError: refreshAll,
    }),
  );

  const mutations = [start, stop, restart, refreshStatus, remove];
  const busy = mutations.some((mutation) => mutation.isPending) || remove.isSuccess;
  const failed = mutations.find((mutation) => mutation.isError)?.error;
  // A live instance always has a subdomain; the name is the fallback so the panel still works.
  const confirmWord = instance.subdomain ?? instance.name;
  const canDelete = allows("delete", instance.status);

  const run = (mutation: typeof start) => {
    mutations.forEach((other) => other.reset());
    mutation.mutate({ id: instance.id });
  };

  function onConfirm(event: FormEvent) {
    event.preventDefault();
    if (typed.trim() !== confirmWord) return;
    mutations.forEach((other) => other.reset());
    remove.mutate({ id: instance.id });
  }

  return (
    <div className="flex flex-col gap-4">
      {failed ? <FormMessage kind="error">{formErrors(failed).message}</FormMessage> : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={() => run(start)} disabled={busy || !allows("start", instance.status)}>
          Start
        </Button>
        <Button variant="secondary" onClick={() => run(stop)} disabled={busy || !allows("stop", instance.status)}>
          Stop
        </Button>
        <Button variant="secondary" onClick={() => run(restart)} disabled={busy || !allows("restart", instance.status)}>
          Restart
        </Button>
        <Button variant="secondary" onClick={() => run(refreshStatus)} disabled={busy}>
          {refreshStatus.isPending ? "Checking…" : "Refresh status"}
        </Button>
        <span className="flex-1" />
        <Button
          variant="danger"
          onClick={() => {
            setConfirming(true);
            setTyped("");
          }}
          disabled={busy || !canDelete || confirming}
          aria-expanded={confirming}
          aria-controls="delete-confirm"
        >
          Delete instance
        </Button>
      </div>
      {confirming && canDelete ? (
        <form
          id="delete-confirm"
          onSubmit={onConfirm}
          className="flex flex-col gap-3 rounded-xl border border-red-200 bg-red-50 p-4"
          aria-label="Confirm deletion"
          noValidate
        >
          <p className="text-sm text-red-900">
            This removes the container, its data volume and its database. It cannot be undone. Type{" "}
            <code className="rounded bg-white px-1 font-mono font-semibold">{confirmWord}</code> to confirm.
          </p>
          <Field
            label={instance.subdomain ? "Type the subdomain to confirm" : "Type the instance name to confirm"}
            name="confirmDelete"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            autoFocus
          />
          <div className="flex gap-2">
            <Button type="submit" variant="danger" disabled={busy || typed.trim() !== confirmWord}>
              {remove.isPending || remove.isSuccess ? "Deleting…" : "Confirm delete"}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
