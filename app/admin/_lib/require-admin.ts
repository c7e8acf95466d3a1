import "server-only";
import { redirect } from "next/navigation";
import { currentActor, serverApi } from "@/server/trpc/server";

/**
 * The admin caller for a page. The layout redirects too, but layout and page render side by
 * side: each page checks on its own so a customer is redirected rather than shown an error.
 */
export async function adminApi() {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  if (actor.role !== "ADMIN") redirect("/dashboard");
  return (await serverApi()).admin;
}

/**
 * The first value of a search param, trimmed; undefined when absent or empty. Free text from
 * the address bar: NUL characters (which the API refuses) are dropped and it is cut to the
 * 200 characters the searches accept, so an odd URL shows a search, never an error page.
 */
export function param(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.replaceAll("\u0000", "").slice(0, 200).trim();
  return trimmed ? trimmed : undefined;
}

export type SearchParams = Promise<Record<string, string | string[] | undefined>>;
