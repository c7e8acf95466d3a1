import type { Metadata } from "next";
import Link from "next/link";
import { StatusBadge } from "@/components/instances/status-badge";
import { INSTANCE_STATUSES } from "@/components/admin/types";
import { PageHeading } from "@/components/admin/ui";
import { adminApi } from "./_lib/require-admin";

export const metadata: Metadata = { title: "Admin" };

function StatCard({ label, value, href, detail, testId }: { label: string; value: string | number; href: string; detail?: string; testId: string }) {
  return (
    <Link
      href={href}
      className="group flex flex-col rounded-xl border border-slate-200 bg-white p-6 shadow-sm transition hover:border-brand-500"
    >
      <span className="text-sm text-slate-600">{label}</span>
      <span className="mt-1 text-3xl font-bold" data-testid={testId}>
        {value}
      </span>
      {detail ? <span className="mt-1 text-xs text-slate-500">{detail}</span> : null}
      <span className="mt-3 text-sm font-medium text-brand-600 group-hover:underline">View →</span>
    </Link>
  );
}

export default async function AdminOverviewPage() {
  const overview = await (await adminApi()).overview();
  const { dbServers } = overview;
  const usedPercent = dbServers.capacity > 0 ? Math.round((dbServers.used / dbServers.capacity) * 100) : 0;

  return (
    <>
      <PageHeading title="Admin overview" description="The fleet at a glance. Every number links to its list." />

      <section aria-labelledby="overview-platform" className="flex flex-col gap-4">
        <h2 id="overview-platform" className="text-xl font-semibold">
          Platform
        </h2>
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <StatCard label="Customers" value={overview.customers} href="/admin/customers" testId="admin-customers" />
          <StatCard
            label="Suspended customers"
            value={overview.suspendedCustomers}
            href="/admin/customers"
            testId="admin-suspended-customers"
          />
          <StatCard
            label="Provisioning in flight"
            value={overview.provisioningInFlight}
            href="/admin/instances?status=PROVISIONING"
            testId="admin-provisioning-in-flight"
          />
          <StatCard
            label="Failed jobs (last 24 h)"
            value={overview.failedJobs24h < 0 ? "—" : overview.failedJobs24h}
            detail={overview.failedJobs24h < 0 ? "The queues cannot be read right now" : undefined}
            href="/admin/queues"
            testId="admin-failed-jobs"
          />
          <StatCard
            label="Failed backups (last 24 h)"
            value={overview.failedBackups24h}
            detail="Each instance's Backups tab names the reason"
            href="/admin/instances"
            testId="admin-failed-backups"
          />
          <StatCard
            label="Billing deliveries refused or failed (last 24 h)"
            value={overview.refusedBillingEvents24h}
            href="/admin/billing"
            testId="admin-refused-billing-events"
          />
          <StatCard
            label="Database servers active"
            value={`${dbServers.active} / ${dbServers.total}`}
            href="/admin/db-servers"
            testId="admin-db-servers-active"
          />
          <StatCard
            label="Database capacity used"
            value={`${dbServers.used} / ${dbServers.capacity}`}
            detail={`${usedPercent}% of the pool's capacity`}
            href="/admin/db-servers"
            testId="admin-db-capacity"
          />
        </div>
      </section>

      <section aria-labelledby="overview-instances" className="flex flex-col gap-4">
        <h2 id="overview-instances" className="text-xl font-semibold">
          Instances by status
        </h2>
        <ul className="grid gap-3 sm:grid-cols-3 lg:grid-cols-4">
          {INSTANCE_STATUSES.map((status) => (
            <li key={status}>
              <Link
                href={`/admin/instances?status=${status}`}
                className="flex items-center justify-between gap-3 rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm transition hover:border-brand-500"
              >
                <StatusBadge status={status} />
                <span className="text-xl font-bold" data-testid={`admin-instances-${status}`}>
                  {overview.instancesByStatus[status] ?? 0}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
