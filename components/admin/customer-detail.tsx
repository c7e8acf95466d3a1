"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { LocalTime } from "@/components/instances/local-time";
import { StatusBadge } from "@/components/instances/status-badge";
import { isTransitional } from "@/components/instances/types";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, FormMessage } from "@/components/ui/form";
import type { CustomerDetail } from "./types";
import { EmptyState, Pill, TextLink, cardClass } from "./ui";
import { Table, Td, Th } from "@/components/ui/table";

/**
 * One customer, live: account facts, their instances (polled every 3 s while one is changing,
 * else every 10 s) and the account actions with the outcome in words.
 */
export function CustomerDetailView({ initialCustomer }: { initialCustomer: CustomerDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = initialCustomer.id;
  const [result, setResult] = useState<string>();

  const { data: customer } = useQuery(
    trpc.admin.customers.get.queryOptions(
      { id },
      {
        initialData: initialCustomer,
        refetchInterval: (query) =>
          (query.state.data?.instances ?? []).some((instance) => isTransitional(instance.status)) ? 3_000 : 10_000,
      },
    ),
  );

  const done = async (message: string) => {
    setResult(message);
    await queryClient.invalidateQueries(trpc.admin.pathFilter());
  };
  const suspend = useMutation(
    trpc.admin.customers.suspend.mutationOptions({
      onSuccess: (data) =>
        done(
          `Account suspended: ${plural(data.endedSessions, "session")} ended and ${plural(data.suspendedInstances, "instance")} suspended. The customer cannot log in.`,
        ),
    }),
  );
  const unsuspend = useMutation(
    trpc.admin.customers.unsuspend.mutationOptions({
      onSuccess: (data) =>
        done(`Account reactivated: the customer can log in again; ${plural(data.resumedInstances, "instance")} starting again.`),
    }),
  );
  const revoke = useMutation(
    trpc.admin.customers.revokeSessions.mutationOptions({
      onSuccess: (data) => done(`${plural(data.endedSessions, "session")} ended: the customer must log in again.`),
    }),
  );
  const mutations = [suspend, unsuspend, revoke];
  const busy = mutations.some((mutation) => mutation.isPending);
  const failed = mutations.find((mutation) => mutation.isError)?.error;
  const run = (mutation: (typeof mutations)[number]) => {
    mutations.forEach((other) => other.reset());
    setResult(undefined);
    mutation.mutate({ id });
  };

  const suspended = customer.suspendedAt !== null;

  return (
    <div className="flex flex-col gap-6">
      <Link href="/admin/customers" className="text-sm text-brand-600 hover:underline">
        ← All customers
      </Link>

      <section className={`${cardClass} flex flex-col gap-5`}>
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-3">
              <h1 className="text-3xl font-bold tracking-tight">{customer.name}</h1>
              {suspended ? (
                <Pill tone="red" testId="customer-account-status">
                  Suspended
                </Pill>
              ) : (
                <Pill tone="green" testId="customer-account-status">
                  Active
                </Pill>
              )}
            </div>
            <p className="mt-1 text-slate-600">
              {customer.email}
              {customer.company ? ` · ${customer.company}` : ""}
            </p>
          </div>
        </div>

        <dl className="grid gap-4 text-sm sm:grid-cols-4">
          <Fact label="Role">{customer.role === "ADMIN" ? "Admin" : "Customer"}</Fact>
          <Fact label="Signed up">
            <LocalTime date={customer.createdAt} />
          </Fact>
          <Fact label="Active sessions">
            <span data-testid="customer-active-sessions">{customer.activeSessions}</span>
          </Fact>
          <Fact label="Suspended since">{customer.suspendedAt ? <LocalTime date={customer.suspendedAt} /> : "—"}</Fact>
        </dl>

        <div className="flex flex-col gap-3">
          {failed ? <FormMessage kind="error">{formErrors(failed).message}</FormMessage> : null}
          {result ? (
            <div role="status">
              <FormMessage kind="success">{result}</FormMessage>
            </div>
          ) : null}
          <div className="flex flex-wrap items-center gap-2">
            {suspended ? (
              <Button onClick={() => run(unsuspend)} disabled={busy}>
                {unsuspend.isPending ? "Unsuspending…" : "Unsuspend"}
              </Button>
            ) : (
              <Button variant="danger" onClick={() => run(suspend)} disabled={busy}>
                {suspend.isPending ? "Suspending…" : "Suspend"}
              </Button>
            )}
            <Button variant="secondary" onClick={() => run(revoke)} disabled={busy}>
              {revoke.isPending ? "Revoking…" : "Revoke sessions"}
            </Button>
          </div>
          <p className="text-xs text-slate-500">
            Suspending stops every instance of the account and ends its sessions; the customer cannot log in until it is
            unsuspended, which starts the instances again.
          </p>
        </div>
      </section>

      <section aria-labelledby="customer-instances" className="flex flex-col gap-4">
        <h2 id="customer-instances" className="text-xl font-semibold">
          Instances
        </h2>
        {customer.instances.length === 0 ? (
          <EmptyState>This customer has no instances.</EmptyState>
        ) : (
          <Table
            label="Customer instances"
            head={
              <>
                <Th>Name</Th>
                <Th>Subdomain</Th>
                <Th>Odoo</Th>
                <Th>Plan</Th>
                <Th>Status</Th>
              </>
            }
          >
            {customer.instances.map((instance) => (
              <tr key={instance.id} data-testid="admin-instance-row" data-instance-id={instance.id}>
                <Td>
                  <TextLink href={`/admin/instances?query=${encodeURIComponent(instance.subdomain ?? instance.name)}`}>
                    {instance.name}
                  </TextLink>
                </Td>
                <Td className="font-mono text-xs text-slate-600">{instance.subdomain ?? "—"}</Td>
                <Td>{instance.odooVersion}</Td>
                <Td className="text-slate-600">{instance.planId}</Td>
                <Td>
                  <StatusBadge status={instance.status} />
                </Td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section className={`${cardClass} flex flex-col gap-2`}>
        <h2 className="font-semibold">Subscriptions</h2>
        {customer.subscriptions.length === 0 ? (
          <p className="text-sm text-slate-600">No subscriptions yet.</p>
        ) : (
          <ul className="text-sm text-slate-700">
            {customer.subscriptions.map((subscription) => (
              <li key={subscription.id}>
                <TextLink href={`/instances/${subscription.instanceId}`}>{subscription.instanceName}</TextLink>: {subscription.planName},{" "}
                {subscription.status.toLowerCase()}
                {subscription.chargedThroughDate ? <> until <LocalTime date={subscription.chargedThroughDate} /></> : null}
              </li>
            ))}
          </ul>
        )}
        <h2 className="mt-2 font-semibold">Invoices</h2>
        {customer.invoices.length === 0 ? (
          <p className="text-sm text-slate-600">No invoices yet.</p>
        ) : (
          <ul className="text-sm text-slate-700">
            {customer.invoices.map((invoice) => (
              <li key={invoice.id} data-testid="customer-invoice">
                {invoice.invoiceNumber} · <LocalTime date={invoice.invoiceDate} /> · ${(invoice.amountCents / 100).toFixed(2)} ·{" "}
                {invoice.balanceCents > 0 ? `unpaid ($${(invoice.balanceCents / 100).toFixed(2)} due)` : "paid"}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-slate-500">{label}</dt>
      <dd className="mt-0.5 font-medium text-slate-900">{children}</dd>
    </div>
  );
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
