"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { PasswordChecklist } from "@/components/password-checklist";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";

export function SignupForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState({ name: "", email: "", company: "", password: "" });
  const [signInError, setSignInError] = useState<string>();
  const register = useMutation(trpc.auth.register.mutationOptions());
  const errors = register.error ? formErrors(register.error) : undefined;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSignInError(undefined);
    try {
      await register.mutateAsync(form);
    } catch {
      return; // the mutation's error is shown above the form
    }
    const result = await signIn("credentials", { email: form.email, password: form.password, redirect: false });
    if (result?.error) {
      setSignInError("Your account was created, but logging in failed. Please log in.");
      return;
    }
    router.push("/dashboard");
    router.refresh();
  }

  const set = (field: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {errors ? <FormMessage kind="error">{errors.message}</FormMessage> : null}
      {signInError ? <FormMessage kind="error">{signInError}</FormMessage> : null}
      <Field label="Name" name="name" autoComplete="name" value={form.name} onChange={set("name")} error={errors?.fields.name} required />
      <Field label="Email" name="email" type="email" autoComplete="email" value={form.email} onChange={set("email")} error={errors?.fields.email} required />
      <Field label="Company (optional)" name="company" autoComplete="organization" value={form.company} onChange={set("company")} error={errors?.fields.company} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        value={form.password}
        onChange={set("password")}
        error={errors?.fields.password}
        hint={<PasswordChecklist password={form.password} />}
        required
      />
      <Button type="submit" disabled={register.isPending}>
        {register.isPending ? "Creating your account…" : "Create account"}
      </Button>
    </form>
  );
}
