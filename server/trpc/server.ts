import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createTRPCContext } from "./init";
import { createCaller } from "./root";

/** tRPC caller for React Server Components: one context per render. */
const createContext = cache(async () => createTRPCContext({ headers: new Headers(await headers()) }));

export async function serverApi() {
  return createCaller(await createContext());
}

/** The signed-in user for this render (shares the one session lookup with serverApi). */
export async function currentActor() {
  return (await createContext()).actor;
}
