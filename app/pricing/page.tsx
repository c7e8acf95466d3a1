import type { Metadata } from "next";
import { AppHeader } from "@/components/account/app-header";
import { formatMonthlyPrice } from "@/components/billing/format";
import { formatCpu, formatMemory, linkButtonClass } from "@/components/instances/format";
import type { Plan } from "@/components/instances/types";
import { currentActor, serverApi } from "@/server/trpc/server";

export const metadata: Metadata = { title: "Pricing" };

/** Newest first: "18.0" before "17.0". */
const newestFirst = (series: readonly string[]) => [...series].sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));

/** Public: the plans with their prices from the billing catalog. */
export default async function PricingPage() {
  const signedIn = Boolean(await currentActor());
  const api = await serverApi();
  const [plans, me] = await Promise.all([api.plans.list(), signedIn ? api.auth.me() : null]);
  const startHref = signedIn ? "/instances/new" : "/signup";
  return (
    <>
      {me ? (
        <AppHeader name={me.name} isAdmin={me.role === "ADMIN"} />
      ) : (
        <header className="mx-auto flex max-w-5xl items-center justify-between px-6 pt-10">
          <a href="/" className="text-lg font-semibold text-brand-700">OdooCloud</a>
          <div className="flex items-center gap-6">
            <a href="/login" className="text-sm font-medium text-slate-700 hover:text-brand-600">Log in</a>
            <a href="/signup" className="rounded-lg bg-brand-500 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-600">
              Sign up
            </a>
          </div>
        </header>
      )}
      <main className="mx-auto flex max-w-5xl flex-col gap-10 px-6 py-10">
        <section>
          <h1 className="text-4xl font-bold tracking-tight">Pricing</h1>
          <p className="mt-2 max-w-2xl text-lg text-slate-600">
            One monthly price per instance: servers, database, daily backups and upgrades included. Cancel any time; your
            instance runs until the end of the month you paid for.
          </p>
        </section>
        {plans.length === 0 ? (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center text-slate-600">
            No plans are available yet. Please come back later.
          </p>
        ) : (
          <ul aria-label="Plans" className="grid gap-6 md:grid-cols-3">
            {plans.map((plan) => (
              <li key={plan.id}>
                <PlanCard plan={plan} startHref={startHref} />
              </li>
            ))}
          </ul>
        )}
      </main>
    </>
  );
}

function PlanCard({ plan, startHref }: { plan: Plan; startHref: string }) {
  const headingId = `plan-${plan.id}-name`;
  const rows: [string, string][] = [
    ["CPU", formatCpu(plan.cpu)],
    ["Memory", formatMemory(plan.memoryMb)],
    ["Storage", `${plan.storageGb} GB`],
    ["Instances", `Up to ${plan.maxInstances}`],
    ["Odoo versions", newestFirst(plan.allowedSeries).join(", ")],
    ["Daily backups kept", String(plan.backupKeepDaily)],
  ];
  return (
    <article
      aria-labelledby={headingId}
      data-testid="plan-card"
      data-plan-id={plan.id}
      className="flex h-full flex-col gap-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={headingId} className="text-xl font-semibold text-brand-700">
          {plan.displayName}
        </h2>
        {plan.trialDays && plan.trialDays > 0 ? (
          <span data-testid="plan-trial" className="rounded-full bg-emerald-50 px-2.5 py-0.5 text-xs font-semibold text-emerald-800 ring-1 ring-emerald-200 ring-inset">
            {plan.trialDays}-day free trial
          </span>
        ) : null}
      </div>
      <p data-testid="plan-price" className="text-2xl font-bold tracking-tight text-slate-900">
        {formatMonthlyPrice(plan)}
      </p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-600">{label}</dt>
            <dd className="text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
      <a href={startHref} aria-describedby={headingId} className={`${linkButtonClass("primary")} mt-auto`}>
        Start free trial
      </a>
    </article>
  );
}
