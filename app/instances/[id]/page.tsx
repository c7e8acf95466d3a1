import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { AppHeader } from "@/components/account/app-header";
import { InstanceView } from "@/components/instances/instance-view";
import { currentActor, serverApi } from "@/server/trpc/server";

type Props = { params: Promise<{ id: string }> };

/** The instance, or null when it does not exist for this user (a malformed id is the same miss). */
const loadInstance = cache(async (id: string) => {
  try {
    return await (await serverApi()).instances.get({ id });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return null;
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  if (!(await currentActor())) return { title: "Instance" };
  const instance = await loadInstance((await params).id);
  return { title: instance ? instance.name : "Instance not found" };
}

export default async function InstancePage({ params }: Props) {
  if (!(await currentActor())) redirect("/login");
  const { id } = await params;
  const instance = await loadInstance(id);
  if (!instance) notFound();
  const api = await serverApi();
  const [me, events] = await Promise.all([api.auth.me(), api.instances.events({ id })]);
  return (
    <>
      <AppHeader name={me.name} isAdmin={me.role === "ADMIN"} />
      <main className="mx-auto flex max-w-5xl flex-col gap-8 px-6 py-10">
        <InstanceView initialInstance={instance} initialEvents={events} />
      </main>
    </>
  );
}
