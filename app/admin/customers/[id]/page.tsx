import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { CustomerDetailView } from "@/components/admin/customer-detail";
import { adminApi } from "../../_lib/require-admin";

type Props = { params: Promise<{ id: string }> };

/** The customer, or null when there is none with this id (a malformed id is the same miss). */
const loadCustomer = cache(async (id: string) => {
  const api = await adminApi();
  try {
    return await api.customers.get({ id });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return null;
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const customer = await loadCustomer((await params).id);
  return { title: customer ? `${customer.email} · Admin` : "Customer not found · Admin" };
}

export default async function AdminCustomerPage({ params }: Props) {
  const customer = await loadCustomer((await params).id);
  if (!customer) notFound();
  return <CustomerDetailView initialCustomer={customer} />;
}
