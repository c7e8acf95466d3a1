import type { Metadata } from "next";
import { AddDbServerForm } from "@/components/admin/add-db-server-form";
import { DbServerList } from "@/components/admin/db-server-list";
import { PageHeading, cardClass } from "@/components/admin/ui";
import { adminApi } from "../_lib/require-admin";

export const metadata: Metadata = { title: "Database servers · Admin" };

export default async function AdminDbServersPage() {
  const servers = await (await adminApi()).dbServers.list();
  return (
    <>
      <PageHeading
        title="Database servers"
        description="The PostgreSQL pool behind the instances. New instances go to the least-loaded ACTIVE server with room left."
      />
      <DbServerList initialServers={servers} />
      <section aria-labelledby="add-db-server" className={cardClass}>
        <h2 id="add-db-server" className="mb-1 font-semibold">
          Add database server
        </h2>
        <p className="mb-4 text-sm text-slate-600">
          The connection is tested before the server is saved. Use a role that may create databases and roles, not a
          superuser.
        </p>
        <AddDbServerForm />
      </section>
    </>
  );
}
