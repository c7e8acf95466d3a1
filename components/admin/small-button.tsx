"use client";

import type { ButtonHTMLAttributes } from "react";
import { useHydrated } from "@/components/ui/use-hydrated";

/**
 * The compact form of components/ui/form's Button, for actions inside table rows. Same rule:
 * disabled until hydrated, so a click before React runs does nothing.
 */
export function SmallButton({
  children,
  variant = "secondary",
  disabled,
  ...props
}: { variant?: "primary" | "secondary" | "danger" } & ButtonHTMLAttributes<HTMLButtonElement>) {
  const hydrated = useHydrated();
  const styles = {
    primary: "bg-brand-500 text-white hover:bg-brand-600",
    secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50",
    danger: "border border-red-300 bg-white text-red-700 hover:bg-red-50",
  }[variant];
  return (
    <button
      type="button"
      className={`rounded-md px-2.5 py-1 text-xs font-semibold shadow-sm transition disabled:cursor-not-allowed disabled:opacity-50 ${styles}`}
      disabled={!hydrated || disabled}
      {...props}
    >
      {children}
    </button>
  );
}
