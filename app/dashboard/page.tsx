import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ChangePasswordForm, LogOutEverywhereButton, ProfileForm } from "@/components/account/account-settings";
import { AppHeader } from "@/components/account/app-header";
import { InstanceList } from "@/components/instances/instance-list";
import { currentActor, serverApi } from "@/server/trpc/server";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  if (!(await currentActor())) redirect("/login");
  const api = await serverApi();
  const [me, instances] = await Promise.all([api.auth.me(), api.instances.list()]);
  return (
    <>
      <AppHeader name={me.name} isAdmin={me.role === "ADMIN"} />
      <main className="mx-auto flex max-w-5xl flex-col gap-8 px-6 py-10">
        <section>
          <h1 className="text-3xl font-bold tracking-tight">Welcome, {me.name}</h1>
          <p className="mt-1 text-slate-600">
            {me.email}
            {me.company ? ` · ${me.company}` : ""}
          </p>
        </section>
        <InstanceList initialInstances={instances} />
        <section className="grid gap-6 md:grid-cols-2">
          <article className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 className="mb-4 font-semibold">Profile</h2>
            <ProfileForm name={me.name} company={me.company} />
          </article>
          <article className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 className="mb-4 font-semibold">Password</h2>
            <ChangePasswordForm />
          </article>
        </section>
        <section className="flex items-center justify-between rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <div>
            <h2 className="font-semibold">Sessions</h2>
            <p className="text-sm text-slate-600">Lost a device? End every session of your account at once.</p>
          </div>
          <LogOutEverywhereButton />
        </section>
      </main>
    </>
  );
}
