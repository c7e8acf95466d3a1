"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Button } from "@/components/ui/form";
import { inputClass } from "./ui";

/**
 * A search box that puts its text in the URL (?query=…), so the server page renders the results
 * and the search can be bookmarked or shared. Other search params are kept.
 */
export function SearchForm({ label, placeholder, initialQuery }: { label: string; placeholder?: string; initialQuery?: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [query, setQuery] = useState(initialQuery ?? "");
  const [pending, startTransition] = useTransition();

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const params = new URLSearchParams(searchParams.toString());
    const trimmed = query.trim();
    if (trimmed) params.set("query", trimmed);
    else params.delete("query");
    const search = params.toString();
    startTransition(() => router.push(search ? `${pathname}?${search}` : pathname));
  }

  return (
    <form role="search" onSubmit={onSubmit} className="flex flex-wrap items-end gap-2" noValidate>
      <div className="flex min-w-64 flex-1 flex-col gap-1 text-sm">
        <label htmlFor="admin-search" className="font-medium text-slate-700">
          {label}
        </label>
        <input
          id="admin-search"
          name="query"
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder={placeholder}
          className={inputClass}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Searching…" : "Search"}
      </Button>
    </form>
  );
}
