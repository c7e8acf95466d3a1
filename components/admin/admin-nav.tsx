"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/customers", label: "Customers" },
  { href: "/admin/instances", label: "Instances" },
  { href: "/admin/db-servers", label: "Database servers" },
  { href: "/admin/queues", label: "Queues" },
  { href: "/admin/billing", label: "Billing deliveries" },
  { href: "/admin/audit", label: "Audit log" },
] as const;

/** The admin sub-navigation; the current section is marked for sighted and screen-reader users. */
export function AdminNav() {
  const pathname = usePathname();
  const isCurrent = (href: string) => (href === "/admin" ? pathname === "/admin" : pathname.startsWith(href));
  return (
    <nav aria-label="Admin" className="border-b border-slate-200 bg-white">
      <ul className="mx-auto flex max-w-5xl flex-wrap gap-1 px-6 text-sm">
        {LINKS.map((link) => {
          const current = isCurrent(link.href);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={current ? "page" : undefined}
                className={`-mb-px inline-block border-b-2 px-3 py-3 font-medium transition ${
                  current ? "border-brand-500 text-brand-700" : "border-transparent text-slate-600 hover:text-brand-600"
                }`}
              >
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
