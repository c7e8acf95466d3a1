import type { ReactNode } from "react";

export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 px-6 py-12">
      <a href="/" className="text-lg font-semibold text-brand-700">
        OdooCloud
      </a>
      <section className="flex flex-col gap-5 rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
        {children}
      </section>
      {footer ? <div className="text-center text-sm text-slate-600">{footer}</div> : null}
    </main>
  );
}
