"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc-provider";
import type { InstanceListItem } from "@/components/instances/types";
import { InvoicesTable } from "./invoices-table";
import { PaymentProgress } from "./payment-progress";
import { SubscriptionsTable } from "./subscriptions-table";
import { isUnpaid, type BillingOverview } from "./types";

const POLL_MS = 2_000;

/** Instances waiting for payment whose subscription is not open yet (a few seconds after creation). */
function instancesSettingUp(overview: BillingOverview, instances: InstanceListItem[]) {
  const subscribed = new Set(overview.subscriptions.map((subscription) => subscription.instance.id));
  return instances.filter((instance) => instance.status === "PENDING_PAYMENT" && !subscribed.has(instance.id));
}

function somethingDue(overview: BillingOverview | undefined, instances: InstanceListItem[] | undefined): boolean {
  if (!overview) return false;
  return (
    overview.invoices.some(isUnpaid) ||
    overview.subscriptions.some((subscription) => subscription.instance.status === "PENDING_PAYMENT") ||
    instancesSettingUp(overview, instances ?? []).length > 0
  );
}

/**
 * The customer's subscriptions and invoices, live: polled every 2 s while an invoice is unpaid
 * or an instance waits for payment (its subscription and first invoice appear a few seconds
 * after it is created). `returnedPaymentId` is Paynow's return (?payment=<id>): its state is
 * read from our server, never assumed.
 */
export function BillingView({
  initialOverview,
  initialInstances,
  planNames,
  returnedPaymentId,
}: {
  initialOverview: BillingOverview;
  initialInstances: InstanceListItem[];
  planNames: Record<string, string>;
  returnedPaymentId: string | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overviewKey = trpc.billing.overview.queryKey();
  const instancesKey = trpc.instances.list.queryKey();
  // Each query polls while either answer says something is due.
  const current = useQuery(
    trpc.billing.overview.queryOptions(undefined, {
      initialData: initialOverview,
      refetchInterval: (query) => (somethingDue(query.state.data, queryClient.getQueryData(instancesKey)) ? POLL_MS : false),
    }),
  ).data;
  const instances = useQuery(
    trpc.instances.list.queryOptions(undefined, {
      initialData: initialInstances,
      refetchInterval: (query) => (somethingDue(queryClient.getQueryData(overviewKey), query.state.data) ? POLL_MS : false),
    }),
  ).data;
  const settingUp = instancesSettingUp(current, instances);

  return (
    <div className="flex flex-col gap-8">
      <section>
        <h1 className="text-3xl font-bold tracking-tight">Billing</h1>
        <p className="mt-1 text-slate-600">Your subscriptions, one per instance, and your invoices.</p>
      </section>

      {returnedPaymentId ? (
        <section aria-labelledby="returned-payment-heading" className="flex flex-col gap-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 id="returned-payment-heading" className="font-semibold">
            Your payment
          </h2>
          <PaymentProgress paymentId={returnedPaymentId} pendingText="Checking payment…" />
        </section>
      ) : null}

      {settingUp.length > 0 ? (
        <ul aria-label="Instances being set up" className="flex flex-col gap-2">
          {settingUp.map((instance) => (
            <li key={instance.id} role="status" data-testid="billing-setting-up" className="rounded-lg bg-sky-50 px-3 py-2 text-sm text-sky-900">
              Setting up billing for {instance.name}…
            </li>
          ))}
        </ul>
      ) : null}

      <SubscriptionsTable subscriptions={current.subscriptions} planNames={planNames} />
      <InvoicesTable invoices={current.invoices} paynowEnabled={current.paynowEnabled} />
    </div>
  );
}
