import type { Metadata } from "next";
import { AdminInstances } from "@/components/admin/admin-instances";
import { isInstanceStatus, type AdminInstanceFilters } from "@/components/admin/types";
import { PageHeading } from "@/components/admin/ui";
import { serverApi } from "@/server/trpc/server";
import { adminApi, param, type SearchParams } from "../_lib/require-admin";

export const metadata: Metadata = { title: "Instances · Admin" };

export default async function AdminInstancesPage({ searchParams }: { searchParams: SearchParams }) {
  const admin = await adminApi();
  const search = await searchParams;
  const status = param(search.status);
  const filters: AdminInstanceFilters = {
    status: isInstanceStatus(status) ? status : undefined,
    odooVersion: param(search.odooVersion),
    planId: param(search.planId),
    dbServerId: param(search.dbServerId),
    query: param(search.query),
  };
  const [instances, servers, plans] = await Promise.all([
    admin.instances.list(filters),
    admin.dbServers.list(),
    (await serverApi()).plans.list(),
  ]);
  const versions = [...new Set(plans.flatMap((plan) => plan.allowedSeries))].sort(
    (a, b) => Number.parseFloat(b) - Number.parseFloat(a),
  );

  return (
    <>
      <PageHeading title="Instances" description="Every customer instance. Filter by status, version, plan or server." />
      <AdminInstances
        filters={filters}
        initialInstances={instances}
        options={{
          plans: plans.map((plan) => ({ value: plan.id, label: plan.displayName })),
          versions: versions.map((version) => ({ value: version, label: `Odoo ${version}` })),
          servers: servers.map((server) => ({ value: server.id, label: server.name })),
        }}
      />
    </>
  );
}
