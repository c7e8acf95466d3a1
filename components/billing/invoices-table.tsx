"use client";

import Link from "next/link";
import { Fragment } from "react";
import { Table, Th } from "@/components/ui/table";
import { formatMoney } from "./format";
import { LocalDate } from "./local-date";
import { InvoicePayPanel, PayButtons, useInvoicePayment } from "./invoice-payment";
import { INVOICE_STATE_LABEL, invoiceState, isUnpaid, type Invoice, type InvoiceState } from "./types";

const STATE_STYLES: Record<InvoiceState, string> = {
  PAID: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  UNPAID: "bg-sky-50 text-sky-800 ring-sky-200",
  FAILED: "bg-red-50 text-red-800 ring-red-200",
  VOID: "bg-slate-100 text-slate-600 ring-slate-200",
};

/** Invoices, newest first, with Paynow payment (EcoCash or card) for the unpaid ones. */
export function InvoicesTable({ invoices, paynowEnabled }: { invoices: Invoice[]; paynowEnabled: boolean }) {
  return (
    <section aria-labelledby="invoices-heading" className="flex flex-col gap-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="invoices-heading" className="font-semibold">
        Invoices
      </h2>
      {!paynowEnabled ? (
        <p data-testid="paynow-disabled" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Online payment is not configured on this platform.
        </p>
      ) : null}
      {invoices.length === 0 ? (
        <p className="text-sm text-slate-600">No invoices yet.</p>
      ) : (
        <Table
          variant="inset"
          label="Invoices, newest first"
          head={
            <>
              <Th>Number</Th>
              <Th>Date</Th>
              <Th>Amount</Th>
              <Th>Balance</Th>
              <Th>Status</Th>
              <Th>Instances</Th>
              <Th srOnly>Actions</Th>
            </>
          }
        >
          {invoices.map((invoice) => (
            <InvoiceRows key={invoice.id} invoice={invoice} paynowEnabled={paynowEnabled} />
          ))}
        </Table>
      )}
    </section>
  );
}

function InvoiceRows({ invoice, paynowEnabled }: { invoice: Invoice; paynowEnabled: boolean }) {
  const payment = useInvoicePayment(invoice);
  const state = invoiceState(invoice);
  const numberId = `invoice-${invoice.id}-number`;
  // A payment Paynow confirmed but not yet booked on the invoice: paying again would pay twice.
  const beingRecorded = invoice.lastPayment?.status === "PAID" && state !== "PAID";
  const payable = paynowEnabled && isUnpaid(invoice) && !beingRecorded;

  return (
    <Fragment>
      <tr data-testid="invoice-row" data-invoice-id={invoice.id} data-state={state} className="align-top">
        <td id={numberId} className="font-medium whitespace-nowrap text-slate-900">
          {invoice.invoiceNumber}
        </td>
        <td className="whitespace-nowrap text-slate-700">
          <LocalDate date={invoice.invoiceDate} />
        </td>
        <td className="whitespace-nowrap text-slate-900" data-testid="invoice-amount">
          {formatMoney(invoice.amountCents, invoice.currency)}
        </td>
        <td className="whitespace-nowrap text-slate-900" data-testid="invoice-balance">
          {formatMoney(invoice.balanceCents, invoice.currency)}
        </td>
        <td>
          <span
            data-testid="invoice-status"
            className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold whitespace-nowrap ring-1 ring-inset ${STATE_STYLES[state]}`}
          >
            {INVOICE_STATE_LABEL[state]}
          </span>
          {state === "PAID" && invoice.paidAt ? (
            <p className="mt-1 text-xs text-slate-600">
              on <LocalDate date={invoice.paidAt} />
            </p>
          ) : null}
          {state === "FAILED" && invoice.lastPayment?.status === "FAILED" ? (
            <p className="mt-1 text-xs text-red-700">
              {invoice.lastPayment.failureReason ?? invoice.lastPayment.paynowStatus ?? "The payment did not go through."}
            </p>
          ) : null}
          {beingRecorded ? <p className="mt-1 text-xs text-slate-600">Payment received; updating the invoice…</p> : null}
          {state === "UNPAID" && invoice.lastPayment?.status === "PENDING" && !payment.started ? (
            <p className="mt-1 text-xs text-slate-600">A payment is in progress.</p>
          ) : null}
        </td>
        <td className="text-slate-700">
          {invoice.instances.length === 0
            ? "—"
            : invoice.instances.map((instance, index) => (
                <Fragment key={instance.id}>
                  {index > 0 ? ", " : null}
                  <Link href={`/instances/${instance.id}`} className="text-brand-700 hover:underline">
                    {instance.name}
                  </Link>
                </Fragment>
              ))}
        </td>
        <td>
          {payable ? <PayButtons payment={payment} describedBy={numberId} /> : null}
        </td>
      </tr>
      {payment.panelOpen ? (
        <tr>
          <td colSpan={7}>
            <InvoicePayPanel invoice={invoice} payment={payment} />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}
