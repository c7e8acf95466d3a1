import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppHeader } from "@/components/account/app-header";
import { AdminNav } from "@/components/admin/admin-nav";
import { currentActor, serverApi } from "@/server/trpc/server";

/** The admin area: signed-out visitors go to the login page, customers to their dashboard. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (actor.role !== "ADMIN") redirect("/dashboard");
  const me = await (await serverApi()).auth.me();
  return (
    <>
      <AppHeader name={me.name} isAdmin />
      <AdminNav />
      <main className="mx-auto flex max-w-5xl flex-col gap-8 px-6 py-10">{children}</main>
    </>
  );
}
