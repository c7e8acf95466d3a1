import type { Metadata } from "next";
import { describeActor } from "@/components/instances/format";
import { LocalTime } from "@/components/instances/local-time";
import { SearchForm } from "@/components/admin/search-form";
import { EmptyState, PageHeading } from "@/components/admin/ui";
import { Table, Td, Th } from "@/components/ui/table";
import { adminApi, param, type SearchParams } from "../_lib/require-admin";

export const metadata: Metadata = { title: "Audit log · Admin" };

const LIMIT = 100;

/** Details as short "key: value" text; nested values as JSON. */
function formatDetails(details: unknown): string {
  if (details === null || details === undefined) return "";
  if (typeof details !== "object") return String(details);
  return Object.entries(details as Record<string, unknown>)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" · ");
}

export default async function AdminAuditPage({ searchParams }: { searchParams: SearchParams }) {
  const query = param((await searchParams).query);
  const entries = await (await adminApi()).audit.list({ query, limit: LIMIT });

  return (
    <>
      <PageHeading
        title="Audit log"
        description={`State-changing actions by customers, admins and the platform, newest first (up to ${LIMIT}).`}
      />
      <SearchForm label="Search the audit log" placeholder="Action, actor, target or id" initialQuery={query} />
      {entries.length === 0 ? (
        <EmptyState>{query ? `No entry matches “${query}”.` : "Nothing recorded yet."}</EmptyState>
      ) : (
        <Table
          label="Audit log"
          head={
            <>
              <Th>When · IP</Th>
              <Th>Who</Th>
              <Th>Action</Th>
              <Th>Target</Th>
              <Th>Details</Th>
            </>
          }
        >
          {entries.map((entry) => (
            <tr key={entry.id} data-testid="audit-row">
              <Td className="whitespace-nowrap text-slate-600">
                <LocalTime date={entry.createdAt} />
                {entry.ip ? <p className="font-mono text-xs text-slate-500">{entry.ip}</p> : null}
              </Td>
              <Td>
                <p>{describeActor(entry.actor)}</p>
                <p className="font-mono text-xs text-slate-500">{entry.actor}</p>
              </Td>
              <Td className="whitespace-nowrap font-mono text-xs font-semibold">{entry.action}</Td>
              <Td>
                <p>{entry.targetType}</p>
                {entry.targetId ? <p className="font-mono text-xs text-slate-500">{entry.targetId}</p> : null}
              </Td>
              <Td className="min-w-48 break-words text-xs text-slate-600">{formatDetails(entry.details) || "—"}</Td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
