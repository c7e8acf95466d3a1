"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { signOut } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { PasswordChecklist } from "@/components/password-checklist";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";

export function ProfileForm({ name: initialName, company: initialCompany }: { name: string; company: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState(initialName);
  const [company, setCompany] = useState(initialCompany ?? "");
  const update = useMutation(trpc.auth.updateProfile.mutationOptions({ onSuccess: () => router.refresh() }));
  const errors = update.error ? formErrors(update.error) : undefined;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ name, company });
  }
  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {errors ? <FormMessage kind="error">{errors.message}</FormMessage> : null}
      {update.isSuccess ? <FormMessage kind="success">Profile saved.</FormMessage> : null}
      <Field label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors?.fields.name} />
      <Field label="Company" name="company" value={company} onChange={(e) => setCompany(e.target.value)} error={errors?.fields.company} />
      <div><Button type="submit" disabled={update.isPending}>Save profile</Button></div>
    </form>
  );
}

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const change = useMutation(trpc.auth.changePassword.mutationOptions());
  const errors = change.error ? formErrors(change.error) : undefined;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    change.mutate({ currentPassword, newPassword });
  }
  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {errors ? <FormMessage kind="error">{errors.message}</FormMessage> : null}
      {change.isSuccess ? (
        <FormMessage kind="success">Password changed. Your other sessions were logged out.</FormMessage>
      ) : null}
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrentPassword(e.target.value)} error={errors?.fields.currentPassword} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} error={errors?.fields.newPassword} hint={<PasswordChecklist password={newPassword} />} />
      <div><Button type="submit" disabled={change.isPending}>Change password</Button></div>
    </form>
  );
}

export function LogOutEverywhereButton() {
  const trpc = useTRPC();
  const logOutAll = useMutation(
    trpc.auth.logOutEverywhere.mutationOptions({ onSuccess: () => void signOut({ redirectTo: "/login" }) }),
  );
  return (
    <Button variant="danger" disabled={logOutAll.isPending} onClick={() => logOutAll.mutate()}>
      Log out of all devices
    </Button>
  );
}
