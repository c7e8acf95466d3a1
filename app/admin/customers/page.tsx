import type { Metadata } from "next";
import { LocalTime } from "@/components/instances/local-time";
import { SearchForm } from "@/components/admin/search-form";
import { EmptyState, PageHeading, Pill, TextLink } from "@/components/admin/ui";
import { Table, Td, Th } from "@/components/ui/table";
import { adminApi, param, type SearchParams } from "../_lib/require-admin";

export const metadata: Metadata = { title: "Customers · Admin" };

export default async function AdminCustomersPage({ searchParams }: { searchParams: SearchParams }) {
  const query = param((await searchParams).query);
  const customers = await (await adminApi()).customers.search({ query });

  return (
    <>
      <PageHeading
        title="Customers"
        description={query ? `Accounts matching “${query}” (up to 50).` : "Search accounts by email, name or company (up to 50 shown)."}
      />
      <SearchForm label="Search customers" placeholder="Email, name or company" initialQuery={query} />
      {customers.length === 0 ? (
        <EmptyState>{query ? `No customer matches “${query}”.` : "No customers yet."}</EmptyState>
      ) : (
        <Table
          label="Customers"
          head={
            <>
              <Th>Email</Th>
              <Th>Name</Th>
              <Th>Company</Th>
              <Th>Role</Th>
              <Th>Account</Th>
              <Th className="text-right">Instances</Th>
              <Th>Signed up</Th>
            </>
          }
        >
          {customers.map((customer) => (
            <tr key={customer.id} data-testid="customer-row" data-customer-id={customer.id}>
              <Td>
                <TextLink href={`/admin/customers/${customer.id}`}>{customer.email}</TextLink>
              </Td>
              <Td>{customer.name}</Td>
              <Td className="text-slate-600">{customer.company ?? "—"}</Td>
              <Td className="text-slate-600">{customer.role === "ADMIN" ? "Admin" : "Customer"}</Td>
              <Td>
                {customer.suspendedAt ? <Pill tone="red">Suspended</Pill> : <Pill tone="green">Active</Pill>}
              </Td>
              <Td className="text-right tabular-nums">{customer.instanceCount}</Td>
              <Td className="whitespace-nowrap text-slate-600">
                <LocalTime date={customer.createdAt} />
              </Td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
