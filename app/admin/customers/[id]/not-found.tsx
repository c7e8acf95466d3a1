import Link from "next/link";
import { linkButtonClass } from "@/components/instances/format";

export default function CustomerNotFound() {
  return (
    <section className="flex flex-col items-center gap-4 py-12 text-center">
      <h1 className="text-2xl font-bold tracking-tight">Customer not found</h1>
      <p className="text-slate-600">There is no account with this id.</p>
      <Link href="/admin/customers" className={linkButtonClass("primary")}>
        Back to customers
      </Link>
    </section>
  );
}
