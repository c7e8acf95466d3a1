"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";
import { formatMoney } from "./format";
import { PaymentProgress } from "./payment-progress";
import type { Invoice } from "./types";

/** Paynow payment of one invoice: EcoCash (a prompt on the customer's phone) or card (Paynow's page). */
export function useInvoicePayment(invoice: Pick<Invoice, "id">) {
  const trpc = useTRPC();
  const [ecocashOpen, setEcocashOpen] = useState(false);
  const [phone, setPhone] = useState("");
  const [started, setStarted] = useState<{ paymentId: string; instructions: string | null } | null>(null);
  const ecocash = useMutation(
    trpc.billing.pay.mutationOptions({
      onSuccess: (result) => setStarted({ paymentId: result.paymentId, instructions: result.instructions }),
    }),
  );
  const card = useMutation(
    trpc.billing.pay.mutationOptions({
      onSuccess: (result) => {
        if (result.browserUrl) window.location.assign(result.browserUrl);
      },
    }),
  );
  const cardWithoutPage = card.isSuccess && !card.data.browserUrl;

  return {
    invoiceId: invoice.id,
    panelId: `invoice-${invoice.id}-payment`,
    ecocashOpen,
    toggleEcocash: () => {
      card.reset();
      setEcocashOpen((open) => !open);
    },
    payByCard: () => {
      ecocash.reset();
      setEcocashOpen(false);
      card.mutate({ invoiceId: invoice.id, method: "WEB" });
    },
    phone,
    setPhone,
    started,
    retry: () => {
      setStarted(null);
      ecocash.reset();
      setEcocashOpen(true);
    },
    ecocash,
    card,
    cardWithoutPage,
    panelOpen: ecocashOpen || started !== null || card.isError || cardWithoutPage,
  };
}

export type InvoicePayment = ReturnType<typeof useInvoicePayment>;

/** The two pay buttons of an unpaid invoice's row, described by its number. */
export function PayButtons({ payment, describedBy }: { payment: InvoicePayment; describedBy: string }) {
  const redirecting = payment.card.isPending || (payment.card.isSuccess && !payment.cardWithoutPage);
  return (
    <div className="flex justify-end gap-2">
      <Button
        type="button"
        size="sm"
        variant="secondary"
        aria-describedby={describedBy}
        aria-expanded={payment.ecocashOpen}
        aria-controls={payment.panelOpen ? payment.panelId : undefined}
        onClick={payment.toggleEcocash}
        disabled={payment.started !== null || redirecting}
      >
        Pay with EcoCash
      </Button>
      <Button type="button" size="sm" aria-describedby={describedBy} onClick={payment.payByCard} disabled={redirecting}>
        {redirecting ? "Opening Paynow…" : "Pay by card"}
      </Button>
    </div>
  );
}

/** Below the row: the card payment's error, the EcoCash form, or the EcoCash payment's progress. */
export function InvoicePayPanel({ invoice, payment }: { invoice: Pick<Invoice, "invoiceNumber" | "balanceCents" | "currency">; payment: InvoicePayment }) {
  const { ecocash, card, started } = payment;
  const cardErrors = card.error ? formErrors(card.error) : undefined;
  const ecocashErrors = ecocash.error ? formErrors(ecocash.error) : undefined;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    ecocash.mutate({ invoiceId: payment.invoiceId, method: "ECOCASH", phone: payment.phone });
  }

  return (
    <div id={payment.panelId} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-slate-50 p-4">
      {cardErrors ? <FormMessage kind="error">{cardErrors.message}</FormMessage> : null}
      {payment.cardWithoutPage ? <FormMessage kind="error">Paynow did not open a payment page. Please try again.</FormMessage> : null}

      {started ? (
        <div className="flex flex-col gap-3">
          {started.instructions ? (
            <p data-testid="paynow-instructions" className="rounded-lg bg-white px-3 py-2 text-sm whitespace-pre-line text-slate-800 ring-1 ring-slate-200">
              {started.instructions}
            </p>
          ) : null}
          <PaymentProgress
            paymentId={started.paymentId}
            currency={invoice.currency}
            pendingText="Waiting for you to approve the payment on your phone…"
            onRetry={payment.retry}
          />
        </div>
      ) : payment.ecocashOpen ? (
        <form
          method="post"
          onSubmit={onSubmit}
          noValidate
          aria-label={`Pay invoice ${invoice.invoiceNumber} with EcoCash`}
          className="flex flex-col gap-3"
        >
          {ecocashErrors ? <FormMessage kind="error">{ecocashErrors.message}</FormMessage> : null}
          <p className="text-sm text-slate-700">
            We send a payment request for {formatMoney(invoice.balanceCents, invoice.currency)} to your phone; approve it
            there with your EcoCash PIN.
          </p>
          <div className="flex flex-wrap items-end gap-3">
            <div className="w-56">
              <Field
                label="EcoCash number"
                name={`phone-${payment.invoiceId}`}
                type="tel"
                inputMode="tel"
                autoComplete="tel"
                placeholder="0771234567"
                value={payment.phone}
                onChange={(event) => payment.setPhone(event.target.value)}
                error={ecocashErrors?.fields.phone}
                maxLength={20}
                required
              />
            </div>
            <Button type="submit" disabled={ecocash.isPending}>
              {ecocash.isPending ? "Sending…" : "Send payment request"}
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
