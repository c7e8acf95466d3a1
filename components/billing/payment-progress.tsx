"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button } from "@/components/ui/form";
import { formatMoney } from "./format";

const POLL_MS = 2_000;

/**
 * One Paynow payment as our server knows it, polled every 2 s until it is paid or failed. Only
 * the server's answer counts: coming back from Paynow's page proves nothing.
 */
export function PaymentProgress({
  paymentId,
  pendingText,
  currency,
  onRetry,
}: {
  paymentId: string;
  pendingText: string;
  currency?: string | null;
  onRetry?: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const payment = useQuery(
    trpc.billing.payment.queryOptions(
      { paymentId },
      {
        refetchInterval: (query) => {
          const code = query.state.error?.data?.code;
          if (code === "NOT_FOUND" || code === "BAD_REQUEST") return false;
          return (query.state.data?.status ?? "PENDING") === "PENDING" ? POLL_MS : false;
        },
        retry: false,
      },
    ),
  );
  const status = payment.data?.status;

  // Paid: the invoice's balance changes too.
  useEffect(() => {
    if (status === "PAID") void queryClient.invalidateQueries({ queryKey: trpc.billing.overview.queryKey() });
  }, [status, queryClient, trpc]);

  if (!payment.data) {
    const code = payment.error?.data?.code;
    const text = payment.isError
      ? code === "NOT_FOUND" || code === "BAD_REQUEST"
        ? "We could not find this payment."
        : `Could not check the payment: ${formErrors(payment.error).message}`
      : pendingText;
    return (
      <p role="status" data-testid="payment-status" data-status={payment.isError ? "UNKNOWN" : "PENDING"} className="text-sm text-slate-700">
        {text}
      </p>
    );
  }

  const { amountCents, failureReason, paynowStatus } = payment.data;
  const tone = status === "PAID" ? "bg-emerald-50 text-emerald-800" : status === "FAILED" ? "bg-red-50 text-red-800" : "bg-slate-100 text-slate-800";
  return (
    <div className="flex flex-col items-start gap-2">
      <p role="status" data-testid="payment-status" data-status={status} className={`rounded-lg px-3 py-2 text-sm font-medium ${tone}`}>
        {status === "PAID"
          ? "Payment received"
          : status === "FAILED"
            ? `Payment failed: ${failureReason ?? paynowStatus ?? "no reason was given"}`
            : pendingText}
      </p>
      <p className="text-xs text-slate-600">
        {status === "PAID"
          ? `${formatMoney(amountCents, currency)} paid. Thank you!`
          : status === "FAILED"
            ? "Nothing was charged."
            : `${formatMoney(amountCents, currency)}. This page updates by itself.`}
      </p>
      {status === "FAILED" && onRetry ? (
        <Button type="button" size="sm" variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}
