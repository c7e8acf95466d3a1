"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { ZSubdomain } from "@/server/domain/instances/schemas";

/**
 * As-you-type help for a subdomain field: the shape first (no request, the same schema the
 * server uses), then availability 300 ms after the last keystroke.
 */
export function SubdomainCheck({
  subdomain,
  testId,
  emptyHint,
  checkedLater,
}: {
  subdomain: string;
  testId: string;
  /** Shown while the field is empty. */
  emptyHint: string;
  /** When the server checks again if this check fails: "when you create the instance". */
  checkedLater: string;
}) {
  const trpc = useTRPC();
  const wanted = subdomain.trim();
  const [debounced, setDebounced] = useState(wanted);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(wanted), 300);
    return () => clearTimeout(timer);
  }, [wanted]);
  const shape = ZSubdomain.safeParse(wanted);
  const settled = debounced === wanted && shape.success;
  const check = useQuery(
    trpc.instances.checkSubdomain.queryOptions({ subdomain: debounced }, { enabled: settled, staleTime: 5_000, retry: false }),
  );

  let content: ReactNode;
  let tone = "text-slate-500";
  if (wanted === "") content = emptyHint;
  else if (!shape.success) {
    content = shape.error.issues[0]?.message;
    tone = "text-amber-700";
  } else if (!settled || check.isPending) content = "Checking…";
  else if (check.isError) content = `Could not check right now; we will check again ${checkedLater}.`;
  else if (check.data.available) {
    content = `${shape.data} is available`;
    tone = "text-emerald-700";
  } else {
    content = check.data.reason ?? "This subdomain is not available";
    tone = "text-amber-700";
  }
  return (
    <p data-testid={testId} aria-live="polite" className={tone}>
      {content}
    </p>
  );
}
