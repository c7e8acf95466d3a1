import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AppHeader } from "@/components/account/app-header";
import { BillingView } from "@/components/billing/billing-view";
import { currentActor, serverApi } from "@/server/trpc/server";

export const metadata: Metadata = { title: "Billing" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Subscriptions and invoices; ?payment=<id> is where Paynow sends the customer back. */
export default async function BillingPage({ searchParams }: Props) {
  if (!(await currentActor())) redirect("/login");
  const api = await serverApi();
  const [me, overview, instances, plans, params] = await Promise.all([
    api.auth.me(),
    api.billing.overview(),
    api.instances.list(),
    api.plans.list(),
    searchParams,
  ]);
  const payment = typeof params.payment === "string" && params.payment.length > 0 ? params.payment : null;
  const planNames = Object.fromEntries(plans.map((plan) => [plan.id, plan.displayName]));
  return (
    <>
      <AppHeader name={me.name} isAdmin={me.role === "ADMIN"} />
      <main className="mx-auto flex max-w-5xl flex-col gap-8 px-6 py-10">
        <BillingView initialOverview={overview} initialInstances={instances} planNames={planNames} returnedPaymentId={payment} />
      </main>
    </>
  );
}
