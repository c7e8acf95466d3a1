import type { Metadata } from "next";
import { serverApi } from "@/server/trpc/server";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminOverviewPage() {
  const overview = await (await serverApi()).admin.overview();
  const cards = [
    { label: "Customers", value: overview.customers },
    { label: "Admins", value: overview.admins },
    { label: "Active sessions", value: overview.activeSessions },
  ];
  return (
    <>
      <h1 className="text-3xl font-bold tracking-tight">Admin overview</h1>
      <section className="grid gap-6 sm:grid-cols-3">
        {cards.map((card) => (
          <article key={card.label} className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <p className="text-sm text-slate-600">{card.label}</p>
            <p className="mt-1 text-3xl font-bold" data-testid={`admin-${card.label.toLowerCase().replace(/ /g, "-")}`}>
              {card.value}
            </p>
          </article>
        ))}
      </section>
    </>
  );
}
