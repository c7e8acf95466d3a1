import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";

/**
 * The one table of the app. `framed` stands alone on a page (the admin lists); `inset` sits
 * inside a card (billing, backups). The table sets the cells' padding, so rows rendered by
 * other components line up whatever they put in their cells.
 */
const VARIANTS = {
  framed: {
    wrapper: "overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm",
    table: "[&_td]:px-4 [&_td]:py-3 [&_th]:px-4 [&_th]:py-3",
    head: "border-b border-slate-200 bg-slate-50",
    body: "divide-y divide-slate-200",
  },
  inset: {
    wrapper: "overflow-x-auto",
    table: "[&_td]:py-3 [&_td]:pr-4 [&_td:last-child]:pr-0 [&_th]:py-2 [&_th]:pr-4 [&_th:last-child]:pr-0",
    head: "border-b border-slate-200",
    body: "divide-y divide-slate-100",
  },
} as const;

export function Table({
  label,
  head,
  children,
  variant = "framed",
}: {
  /** What the table lists, for screen readers (its caption). */
  label: string;
  /** The header cells (Th). */
  head: ReactNode;
  children: ReactNode;
  variant?: keyof typeof VARIANTS;
}) {
  const styles = VARIANTS[variant];
  return (
    <div className={styles.wrapper}>
      <table aria-label={label} className={`w-full text-left text-sm ${styles.table}`}>
        <caption className="sr-only">{label}</caption>
        <thead className={`${styles.head} text-xs uppercase tracking-wide text-slate-500`}>
          <tr>{head}</tr>
        </thead>
        <tbody className={styles.body}>{children}</tbody>
      </table>
    </div>
  );
}

/** A column header; `srOnly` keeps its text for screen readers only (an actions column). */
export function Th({ children, className = "", srOnly = false, ...props }: ThHTMLAttributes<HTMLTableCellElement> & { srOnly?: boolean }) {
  return (
    <th scope="col" className={`font-semibold ${className}`} {...props}>
      {srOnly ? <span className="sr-only">{children}</span> : children}
    </th>
  );
}

export function Td({ children, className = "", ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return (
    <td className={`align-top ${className}`} {...props}>
      {children}
    </td>
  );
}
