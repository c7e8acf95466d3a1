import Link from "next/link";
import { linkButtonClass } from "@/components/instances/format";

export default function InstanceNotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-4 px-6 py-12 text-center">
      <h1 className="text-2xl font-bold tracking-tight">Instance not found</h1>
      <p className="text-slate-600">It may have been deleted, or it belongs to another account.</p>
      <div>
        <Link href="/dashboard" className={linkButtonClass("primary")}>
          Back to the dashboard
        </Link>
      </div>
    </main>
  );
}
