import Link from "next/link";
import type { ReactNode } from "react";
import { inputClass as baseInputClass } from "@/components/ui/styles";

/** Shared building blocks of the admin pages: same cards and type scale as the customer pages. */

export const cardClass = "rounded-xl border border-slate-200 bg-white p-6 shadow-sm";

export const inputClass = `${baseInputClass} text-sm`;

export function PageHeading({ title, description, children }: { title: string; description?: ReactNode; children?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-3xl font-bold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-slate-600">{description}</p> : null}
      </div>
      {children}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <p className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
      {children}
    </p>
  );
}

/** A small colored pill for statuses that are not instance statuses (accounts, servers). */
export function Pill({ tone, children, testId }: { tone: "green" | "amber" | "red" | "slate"; children: ReactNode; testId?: string }) {
  const styles = {
    green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
    amber: "bg-amber-50 text-amber-800 ring-amber-200",
    red: "bg-red-50 text-red-800 ring-red-200",
    slate: "bg-slate-100 text-slate-700 ring-slate-200",
  }[tone];
  return (
    <span
      data-testid={testId}
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold tracking-wide ring-1 ring-inset ${styles}`}
    >
      {children}
    </span>
  );
}

export function TextLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} className="font-medium text-brand-700 hover:underline">
      {children}
    </Link>
  );
}
