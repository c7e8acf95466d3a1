"use client";

import { useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode } from "react";
import { inputClass } from "./styles";
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
        className={inputClass}
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

/** A checkbox with its label, an optional badge beside it, and a hint that tells what it does. */
export function CheckboxField({
  name,
  label,
  checked,
  onChange,
  disabled,
  hint,
  error,
  badge,
  testId,
}: {
  name: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled: boolean;
  hint: string;
  error?: string;
  badge?: string;
  /** Prefix of the badge's and hint's test ids. */
  testId?: string;
}) {
  const id = `field-${name}`;
  return (
    <div className="flex items-start gap-3 text-sm">
      <input
        id={id}
        type="checkbox"
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        aria-invalid={error ? true : undefined}
        aria-describedby={[`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(" ")}
        className="mt-0.5 size-4 accent-brand-500 disabled:cursor-not-allowed"
      />
      <div className="flex flex-col gap-1">
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={id} className={`font-medium ${disabled ? "text-slate-500" : "text-slate-700"}`}>
            {label}
          </label>
          {badge ? (
            <span
              data-testid={testId ? `${testId}-badge` : undefined}
              className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-800 ring-1 ring-emerald-200 ring-inset"
            >
              {badge}
            </span>
          ) : null}
        </div>
        <span id={`${id}-hint`} data-testid={testId ? `${testId}-hint` : undefined} className="text-slate-500">
          {hint}
        </span>
        <FieldError id={`${id}-error`} error={error} />
      </div>
    </div>
  );
}

/** A field's error message, linked from the field by aria-describedby. */
export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <span id={id} className="text-red-700">
      {error}
    </span>
  ) : null;
}

export function SelectField({
  label,
  name,
  value,
  onChange,
  options,
  error,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  error?: string;
}) {
  const id = `field-${name}`;
  return (
    <div className="flex flex-col gap-1 text-sm">
      <label htmlFor={id} className="font-medium text-slate-700">
        {label}
      </label>
      <select
        id={id}
        name={name}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={inputClass}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

export function TextAreaField({
  label,
  name,
  value,
  onChange,
  error,
  hint,
  placeholder,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  placeholder?: string;
}) {
  const id = `field-${name}`;
  const hintId = useId();
  const describedBy = [hint ? hintId : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="flex flex-col gap-1 text-sm">
      <label htmlFor={id} className="font-medium text-slate-700">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        rows={4}
        placeholder={placeholder}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`${inputClass} font-mono text-xs`}
      />
      {hint ? (
        <span id={hintId} className="text-slate-500">
          {hint}
        </span>
      ) : null}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}
