"use client";

import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode } from "react";
import { useHydrated } from "./use-hydrated";

export function Field({
  label,
  name,
  error,
  hint,
  ...input
}: { label: string; name: string; error?: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = `field-${name}`;
  const errorId = `${id}-error`;
  return (
    <div className="flex flex-col gap-1 text-sm">
      <label htmlFor={id} className="font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        className="rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100 aria-invalid:border-red-500"
        {...input}
      />
      {hint}
      {error ? (
        <span id={errorId} className="text-red-700">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** Disabled until hydrated: a click before React runs would submit the form natively. */
export function Button({
  children,
  variant = "primary",
  size = "md",
  disabled,
  ...props
}: { variant?: "primary" | "secondary" | "danger"; size?: "md" | "sm" } & ButtonHTMLAttributes<HTMLButtonElement>) {
  const hydrated = useHydrated();
  const styles = {
    primary: "bg-brand-500 text-white hover:bg-brand-600",
    secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50",
    danger: "border border-red-300 bg-white text-red-700 hover:bg-red-50",
  }[variant];
  return (
    <button
      className={`font-semibold shadow-sm transition disabled:cursor-not-allowed disabled:opacity-60 ${
        size === "sm" ? "rounded-md px-2.5 py-1 text-xs" : "rounded-lg px-4 py-2 text-sm"
      } ${styles}`}
      disabled={!hydrated || disabled}
      {...props}
    >
      {children}
    </button>
  );
}

export function FormMessage({ kind, children }: { kind: "error" | "success"; children: ReactNode }) {
  return (
    <p
      className={`rounded-lg px-3 py-2 text-sm ${kind === "error" ? "bg-red-50 text-red-800" : "bg-emerald-50 text-emerald-800"}`}
    >
      {children}
    </p>
  );
}
