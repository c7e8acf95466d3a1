import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** False during server rendering and until React has hydrated the page in the browser. */
export function useHydrated(): boolean {
  return useSyncExternalStore(subscribe, () => true, () => false);
}
