import type { Metadata } from "next";
import { BillingEventsView } from "@/components/admin/billing-events-view";
import { PageHeading } from "@/components/admin/ui";
import { adminApi } from "../_lib/require-admin";

export const metadata: Metadata = { title: "Billing deliveries · Admin" };

export default async function AdminBillingPage() {
  const admin = await adminApi();
  const events = await admin.billingEvents.list({ take: 100 });
  return (
    <>
      <PageHeading
        title="Billing deliveries"
        description="Kill Bill notifications, builtin billing events and Paynow status updates as received, with what processing made of them. Replaying re-reads the object from the billing provider and changes nothing that is already done."
      />
      <BillingEventsView initialEvents={events} />
    </>
  );
}
