/**
 * Class lists shared by client and server components (a "use client" module cannot export plain
 * values to server components, so they live here).
 */

/** The look of every text input, select and textarea. */
export const inputClass =
  "rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100 aria-invalid:border-red-500";
