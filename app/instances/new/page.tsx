import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AppHeader } from "@/components/account/app-header";
import { CreateInstanceForm } from "@/components/instances/create-instance-form";
import { currentActor, serverApi } from "@/server/trpc/server";

export const metadata: Metadata = { title: "New instance" };

export default async function NewInstancePage() {
  if (!(await currentActor())) redirect("/login");
  const api = await serverApi();
  const [me, plans] = await Promise.all([api.auth.me(), api.plans.list()]);
  return (
    <>
      <AppHeader name={me.name} isAdmin={me.role === "ADMIN"} />
      <main className="mx-auto flex max-w-3xl flex-col gap-6 px-6 py-10">
        <Link href="/dashboard" className="text-sm text-brand-600 hover:underline">
          ← All instances
        </Link>
        <section>
          <h1 className="text-3xl font-bold tracking-tight">New instance</h1>
          <p className="mt-1 text-slate-600">Your own Odoo, with its own database and storage.</p>
        </section>
        <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <CreateInstanceForm plans={plans} />
        </section>
      </main>
    </>
  );
}
