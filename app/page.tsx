import { PlatformStatus } from "@/components/platform-status";

const FEATURES = [
  { title: "Your own Odoo", body: "A dedicated container and database per instance — no noisy neighbours." },
  { title: "Backups you can trust", body: "Daily verified backups in Odoo's own format, restorable anywhere." },
  { title: "You stay in control", body: "Start, stop, restart, back up, restore and upgrade from your dashboard." },
];

export default function HomePage() {
  return (
    <main className="mx-auto flex max-w-5xl flex-col gap-16 px-6 py-16">
      <header className="flex items-center justify-between">
        <span className="text-lg font-semibold text-brand-700">OdooCloud</span>
        <div className="flex items-center gap-6">
          <PlatformStatus />
          <a href="/pricing" className="text-sm font-medium text-slate-700 hover:text-brand-600">Pricing</a>
          <a href="/login" className="text-sm font-medium text-slate-700 hover:text-brand-600">Log in</a>
          <a href="/signup" className="rounded-lg bg-brand-500 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-600">
            Sign up
          </a>
        </div>
      </header>
      <section className="flex flex-col gap-6">
        <h1 className="text-4xl font-bold tracking-tight sm:text-5xl">Hosted Odoo, ready in a minute</h1>
        <p className="max-w-2xl text-lg text-slate-600">
          Pick a plan, name your instance and open your own Odoo. We run the servers, the database
          and the backups; you run your business.
        </p>
      </section>
      <section className="grid gap-6 sm:grid-cols-3">
        {FEATURES.map((feature) => (
          <article key={feature.title} className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 className="font-semibold text-brand-700">{feature.title}</h2>
            <p className="mt-2 text-sm text-slate-600">{feature.body}</p>
          </article>
        ))}
      </section>
    </main>
  );
}
