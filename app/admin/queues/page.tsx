import type { Metadata } from "next";
import { QueuesView } from "@/components/admin/queues-view";
import { PageHeading } from "@/components/admin/ui";
import { adminApi } from "../_lib/require-admin";

export const metadata: Metadata = { title: "Queues · Admin" };

export default async function AdminQueuesPage() {
  const admin = await adminApi();
  const queues = await admin.queues.list();
  const failed = await Promise.all(queues.map(async (queue) => ({ queue: queue.name, jobs: await admin.queues.failed({ queue: queue.name }) })));
  return (
    <>
      <PageHeading
        title="Queues"
        description="Background jobs per queue. Failed jobs are kept as evidence until they are retried or removed."
      />
      <QueuesView initialQueues={queues} initialFailed={failed} />
    </>
  );
}
