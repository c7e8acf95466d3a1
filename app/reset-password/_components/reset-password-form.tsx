"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { PasswordChecklist } from "@/components/password-checklist";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";

export function ResetPasswordForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const [password, setPassword] = useState("");
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());
  const errors = reset.error ? formErrors(reset.error) : undefined;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    reset.mutate({ token, password });
  }

  if (reset.isSuccess) {
    return (
      <FormMessage kind="success">
        Your password has been changed and every session has been logged out.{" "}
        <a className="font-medium underline" href="/login">Log in</a>
      </FormMessage>
    );
  }
  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {errors ? <FormMessage kind="error">{errors.fields.token ?? errors.message}</FormMessage> : null}
      <Field
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors?.fields.password}
        hint={<PasswordChecklist password={password} />}
        required
      />
      <Button type="submit" disabled={reset.isPending}>Set new password</Button>
    </form>
  );
}
