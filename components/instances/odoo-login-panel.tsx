"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { PasswordChecklist } from "@/components/password-checklist";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";
import type { InstanceDetail } from "./types";

/** Statuses in which the instance's database is there to take a new password. */
const CAN_RESET: readonly InstanceDetail["status"][] = ["RUNNING", "STOPPED", "UNHEALTHY", "SUSPENDED", "ERROR", "PENDING_PAYMENT"];

/**
 * How the owner gets into their Odoo: the login (the instance's admin email), a notice when the
 * platform had to replace a default password, and a reset of the Odoo administrator's password
 * (applied in place; the customer's other Odoo users are not touched).
 */
export function OdooLoginPanel({ instance }: { instance: InstanceDetail }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const reset = useMutation(
    trpc.instances.resetOdooPassword.mutationOptions({
      onSuccess: async () => {
        setPassword("");
        setOpen(false);
        await queryClient.invalidateQueries({ queryKey: trpc.instances.get.queryKey({ id: instance.id }) });
      },
    }),
  );
  const errors = reset.error ? formErrors(reset.error) : undefined;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    reset.mutate({ id: instance.id, password });
  }

  return (
    <div className="flex flex-col gap-3 text-sm" data-testid="odoo-login">
      <p>
        Odoo login: <span className="font-medium" data-testid="odoo-login-email">{instance.adminEmail}</span>
      </p>
      {instance.odooPasswordNoticeAt ? (
        <div role="status" data-testid="odoo-password-notice" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-amber-900">
          Your Odoo administrator still had Odoo&apos;s default password (admin / admin), so we replaced it with a random one.
          Set your own password to log in as administrator.
        </div>
      ) : null}
      {reset.isSuccess && !open ? <FormMessage kind="success">The Odoo administrator password was changed.</FormMessage> : null}
      {open ? (
        <form method="post" onSubmit={onSubmit} className="flex flex-col gap-3" noValidate>
          {errors && !errors.fields.password ? <FormMessage kind="error">{errors.message}</FormMessage> : null}
          <Field
            label="New Odoo administrator password"
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={errors?.fields.password}
            hint={<PasswordChecklist password={password} />}
            maxLength={256}
          />
          <div className="flex gap-2">
            <Button type="submit" size="sm" disabled={reset.isPending}>
              {reset.isPending ? "Saving…" : "Set password"}
            </Button>
            <Button type="button" size="sm" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : CAN_RESET.includes(instance.status) ? (
        <div>
          <Button type="button" size="sm" variant="secondary" onClick={() => setOpen(true)}>
            Reset Odoo administrator password
          </Button>
        </div>
      ) : null}
    </div>
  );
}
