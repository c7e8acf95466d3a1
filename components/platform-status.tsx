"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc-provider";

const LABELS: Record<string, string> = {
  postgres: "database",
  redis: "job queue",
  containerEngine: "container engine",
};

/** Live platform status, read through tRPC from the browser. */
export function PlatformStatus() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.system.status.queryOptions(), refetchInterval: 30_000 });

  if (status.isPending) {
    return <p className="text-sm text-slate-500">Checking platform status…</p>;
  }
  if (status.isError) {
    return <p className="text-sm text-red-700">Platform status is unavailable right now.</p>;
  }
  const { down } = status.data;
  const ok = down.length === 0;
  return (
    <p className="flex items-center gap-2 text-sm" data-testid="platform-status">
      <span className={`inline-block h-2.5 w-2.5 rounded-full ${ok ? "bg-emerald-500" : "bg-amber-500"}`} />
      {ok
        ? "All systems operational"
        : `Degraded: ${down.map((name) => LABELS[name] ?? name).join(", ")} unavailable`}
    </p>
  );
}
