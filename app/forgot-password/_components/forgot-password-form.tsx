"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";

export function ForgotPasswordForm() {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const errors = request.error ? formErrors(request.error) : undefined;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    request.mutate({ email });
  }

  if (request.isSuccess) {
    return (
      <FormMessage kind="success">
        If an account exists for {email}, we have sent it a link to choose a new password. The link works once, within
        one hour.
      </FormMessage>
    );
  }
  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {errors ? <FormMessage kind="error">{errors.message}</FormMessage> : null}
      <Field label="Email" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={errors?.fields.email} required />
      <Button type="submit" disabled={request.isPending}>Send reset link</Button>
    </form>
  );
}
