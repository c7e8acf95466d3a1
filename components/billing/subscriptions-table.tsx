"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "@/components/instances/status-badge";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, FormMessage } from "@/components/ui/form";
import { Table, Th } from "@/components/ui/table";
import { LocalDate } from "./local-date";
import { SUBSCRIPTION_STATE_LABEL, subscriptionState, type Subscription } from "./types";

/** One row per instance: plan, trial or paid, when it renews or ends; cancel at end of term. */
export function SubscriptionsTable({ subscriptions, planNames }: { subscriptions: Subscription[]; planNames: Record<string, string> }) {
  return (
    <section aria-labelledby="subscriptions-heading" className="flex flex-col gap-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="subscriptions-heading" className="font-semibold">
        Subscriptions
      </h2>
      {subscriptions.length === 0 ? (
        <p className="text-sm text-slate-600">No subscriptions yet. Each instance you create has its own.</p>
      ) : (
        <Table
          variant="inset"
          label="Subscriptions, newest first"
          head={
            <>
              <Th>Instance</Th>
              <Th>Plan</Th>
              <Th>Status</Th>
              <Th>Renews / ends</Th>
              <Th srOnly>Actions</Th>
            </>
          }
        >
          {subscriptions.map((subscription) => (
            <SubscriptionRow key={subscription.id} subscription={subscription} planName={planNames[subscription.planName] ?? subscription.planName} />
          ))}
        </Table>
      )}
    </section>
  );
}

function SubscriptionRow({ subscription, planName }: { subscription: Subscription; planName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(
    trpc.billing.cancel.mutationOptions({
      onSuccess: () => setConfirming(false),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.billing.overview.queryKey() }),
    }),
  );
  const { instance } = subscription;
  const state = subscriptionState(subscription);
  const ended = subscription.state === "CANCELLED" || subscription.state === "EXPIRED";
  const gone = instance.status === "DELETED" || instance.status === "DELETING";
  const canCancel = state !== "CANCELLED" && !gone && !cancel.isSuccess;
  const nameId = `subscription-${subscription.id}-instance`;
  const termEnd = subscription.chargedThroughDate;

  return (
    <tr data-testid="subscription-row" data-instance-id={instance.id} data-state={state} className="align-top">
      <td id={nameId}>
        <div className="flex flex-wrap items-center gap-2">
          {gone ? (
            <span className="font-semibold text-slate-700">{instance.name}</span>
          ) : (
            <Link href={`/instances/${instance.id}`} className="font-semibold text-brand-700 hover:underline">
              {instance.name}
            </Link>
          )}
          <StatusBadge status={instance.status} />
        </div>
      </td>
      <td className="whitespace-nowrap text-slate-700">{planName}</td>
      <td className="whitespace-nowrap" data-testid="subscription-status">
        {SUBSCRIPTION_STATE_LABEL[state]}
      </td>
      <td className="whitespace-nowrap text-slate-700" data-testid="subscription-term">
        {subscription.cancelledDate ? (
          <>
            {ended ? "Ended" : "Ends"} <LocalDate date={subscription.cancelledDate} />
          </>
        ) : ended ? (
          "Ended"
        ) : termEnd ? (
          <>
            {state === "TRIAL" ? "Trial ends" : "Renews"} <LocalDate date={termEnd} />
          </>
        ) : (
          "—"
        )}
      </td>
      <td>
        <div className="flex flex-col items-end gap-2">
          {canCancel && !confirming ? (
            <Button
              type="button"
              size="sm"
              variant="danger"
              aria-describedby={nameId}
              onClick={() => {
                cancel.reset();
                setConfirming(true);
              }}
            >
              Cancel at end of term
            </Button>
          ) : null}
          {canCancel && confirming ? (
            <div role="group" aria-label={`Cancel ${instance.name}`} className="flex max-w-xs flex-col items-end gap-2 text-right">
              <p className="text-xs text-slate-700">
                {termEnd ? (
                  <>
                    {instance.name} keeps running until <LocalDate date={termEnd} />, then stops. Nothing more is charged.
                  </>
                ) : (
                  <>{instance.name} stops at the end of the current term. Nothing more is charged.</>
                )}
              </p>
              <div className="flex gap-2">
                <Button type="button" size="sm" variant="danger" onClick={() => cancel.mutate({ instanceId: instance.id })} disabled={cancel.isPending}>
                  {cancel.isPending ? "Cancelling…" : "Confirm cancellation"}
                </Button>
                <Button type="button" size="sm" variant="secondary" onClick={() => setConfirming(false)} disabled={cancel.isPending}>
                  Keep subscription
                </Button>
              </div>
            </div>
          ) : null}
          {cancel.isError ? <FormMessage kind="error">{formErrors(cancel.error).message}</FormMessage> : null}
        </div>
      </td>
    </tr>
  );
}
