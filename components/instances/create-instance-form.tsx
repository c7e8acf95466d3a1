"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { formatMonthlyPrice, trialLabel } from "@/components/billing/format";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, CheckboxField, Field, FieldError, FormMessage, SelectField, TextAreaField } from "@/components/ui/form";
import { formatCpu, formatMemory } from "./format";
import { GeneratedPassword } from "./generated-password";
import { OdooAdminFields, type OdooAdminChoice } from "./odoo-admin-fields";
import { parseAddons, parseEnvVars } from "./parse-options";
import type { Plan } from "./types";
import { SubdomainCheck } from "@/components/instances/subdomain-check";

/** Newest first: "18.0" before "17.0". */
const newestFirst = (series: readonly string[]) => [...series].sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));

export function CreateInstanceForm({ plans }: { plans: Plan[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const firstPlan = plans[0];
  const [planId, setPlanId] = useState(firstPlan?.id ?? "");
  const [odooVersion, setOdooVersion] = useState(firstPlan ? (newestFirst(firstPlan.allowedSeries)[0] ?? "") : "");
  const [name, setName] = useState("");
  const [subdomain, setSubdomain] = useState("");
  const [demoData, setDemoData] = useState(false);
  const [addons, setAddons] = useState("");
  const [envText, setEnvText] = useState("");
  const [envError, setEnvError] = useState<string>();
  const [odooAdmin, setOdooAdmin] = useState<OdooAdminChoice>({ password: "", generate: false, lang: "en_US", timezone: "UTC" });
  /** A generated Odoo password, shown once before moving on. */
  const [shown, setShown] = useState<{ password: string; login: string; next: string }>();
  /** The customer's own choice; until they touch the box it follows trialAvailable. */
  const [trialChoice, setTrialChoice] = useState<boolean>();

  // Whether the one free trial is still available decides the checkbox's default; the form
  // waits for it so that a quick submit never starts a paid instance by accident.
  const overview = useQuery(trpc.billing.overview.queryOptions());
  const trialAvailable = overview.data?.trialAvailable ?? overview.isError;

  const plan = plans.find((candidate) => candidate.id === planId);
  const versions = plan ? newestFirst(plan.allowedSeries) : [];
  const planHasTrial = plan?.trialDays !== 0;
  const trialPossible = trialAvailable && planHasTrial;
  const trial = trialPossible && (trialChoice ?? overview.isSuccess);

  const create = useMutation(
    trpc.instances.create.mutationOptions({
      onSuccess: async (instance, input) => {
        void queryClient.invalidateQueries({ queryKey: trpc.billing.overview.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() });
        // Without a trial the instance waits for its first invoice, which the billing page shows.
        const next = input.trial ? `/instances/${instance.id}` : "/billing";
        if (instance.generatedOdooPassword) setShown({ password: instance.generatedOdooPassword, login: instance.adminEmail, next });
        else router.push(next);
      },
      // A trial refused as already used: show the box as it now is.
      onError: () => queryClient.invalidateQueries({ queryKey: trpc.billing.overview.queryKey() }),
    }),
  );
  const errors = create.error ? formErrors(create.error) : undefined;

  function choosePlan(id: string) {
    setPlanId(id);
    const next = plans.find((candidate) => candidate.id === id);
    if (next && !next.allowedSeries.includes(odooVersion)) setOdooVersion(newestFirst(next.allowedSeries)[0] ?? "");
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const env = parseEnvVars(envText);
    setEnvError(env.error);
    if (env.error) return;
    create.mutate({
      name,
      subdomain,
      odooVersion,
      planId,
      demoData,
      customAddons: parseAddons(addons),
      envVars: env.vars,
      adminPassword: odooAdmin.generate ? undefined : odooAdmin.password,
      odooLang: odooAdmin.lang,
      odooTimezone: odooAdmin.timezone,
      trial,
    });
  }

  if (shown) return <GeneratedPassword login={shown.login} password={shown.password} onContinue={() => router.push(shown.next)} />;

  if (plans.length === 0) {
    return <FormMessage kind="error">No plans are available yet. Please come back later.</FormMessage>;
  }

  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-6" noValidate>
      {errors ? <FormMessage kind="error">{errors.message}</FormMessage> : null}

      <fieldset className="flex flex-col gap-2 text-sm" aria-describedby={errors?.fields.planId ? "field-planId-error" : undefined}>
        <legend className="mb-2 font-medium text-slate-700">Plan</legend>
        <div className="grid gap-3 sm:grid-cols-3">
          {plans.map((option) => (
            <label
              key={option.id}
              className="flex cursor-pointer flex-col gap-1 rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-brand-500 has-checked:border-brand-500 has-checked:ring-2 has-checked:ring-brand-100"
            >
              <span className="flex items-center gap-2">
                <input
                  type="radio"
                  name="planId"
                  value={option.id}
                  checked={planId === option.id}
                  onChange={() => choosePlan(option.id)}
                  className="accent-brand-500"
                />
                <span className="font-semibold text-slate-900">{option.displayName}</span>
                <span className="ml-auto text-slate-700" data-testid="plan-price">
                  {formatMonthlyPrice(option)}
                </span>
              </span>
              <span className="text-slate-600">
                {formatCpu(option.cpu)} · {formatMemory(option.memoryMb)} memory · {option.storageGb} GB storage
              </span>
              <span className="text-xs text-slate-500">
                Up to {option.maxInstances} instance{option.maxInstances === 1 ? "" : "s"}
              </span>
            </label>
          ))}
        </div>
        <FieldError id="field-planId-error" error={errors?.fields.planId} />
        {errors?.planLimit ? (
          <a href="/pricing" data-testid="plan-limit-upgrade" className="font-semibold text-brand-600 underline">
            Compare plans and their limits
          </a>
        ) : null}
      </fieldset>

      <SelectField
        label="Odoo version"
        name="odooVersion"
        value={odooVersion}
        onChange={setOdooVersion}
        options={versions.map((series) => ({ value: series, label: `Odoo ${series}` }))}
        error={errors?.fields.odooVersion}
      />

      <Field
        label="Name"
        name="name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        error={errors?.fields.name}
        placeholder="Acme production"
        maxLength={64}
        required
      />

      <Field
        label="Subdomain"
        name="subdomain"
        value={subdomain}
        onChange={(event) => setSubdomain(event.target.value)}
        error={errors?.fields.subdomain}
        hint={<SubdomainCheck subdomain={subdomain} testId="subdomain-check" emptyHint="Your instance's address: 4-32 lower-case letters, digits and hyphens." checkedLater="when you create the instance" />}
        placeholder="acme"
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
        maxLength={64}
        required
      />

      <OdooAdminFields
        value={odooAdmin}
        onChange={setOdooAdmin}
        errors={{ adminPassword: errors?.fields.adminPassword, odooLang: errors?.fields.odooLang, odooTimezone: errors?.fields.odooTimezone }}
      />

      <label className="flex items-start gap-3 text-sm">
        <input
          type="checkbox"
          name="demoData"
          checked={demoData}
          onChange={(event) => setDemoData(event.target.checked)}
          className="mt-0.5 size-4 accent-brand-500"
        />
        <span>
          <span className="font-medium text-slate-700">Load demo data</span>
          <span className="block text-slate-500">Sample customers, products and orders to try Odoo out.</span>
        </span>
      </label>

      <CheckboxField
        name="trial"
        badge="Free trial"
        testId="trial"
        label={trialLabel(plan?.trialDays ?? null)}
        checked={trial}
        onChange={setTrialChoice}
        disabled={!trialPossible}
        hint={
          overview.isPending
            ? "Checking whether your free trial is available…"
            : !trialAvailable
              ? "You have used your free trial"
              : !planHasTrial
                ? `The ${plan?.displayName ?? ""} plan has no free trial`
                : trial
                  ? "Nothing to pay today: the first invoice comes at the end of the trial."
                  : "The first invoice is due now; the instance starts once it is paid."
        }
        error={errors?.fields.trial}
      />

      <fieldset className="flex flex-col gap-4 rounded-xl border border-slate-200 p-4">
        <legend className="px-1 text-sm font-medium text-slate-700">Advanced (optional)</legend>
        <Field
          label="Custom addons"
          name="customAddons"
          value={addons}
          onChange={(event) => setAddons(event.target.value)}
          error={errors?.fields.customAddons}
          placeholder="sale_management, crm"
          hint={<span className="text-slate-500">Technical module names, separated by commas; installed on first boot.</span>}
          autoComplete="off"
          spellCheck={false}
        />
        <TextAreaField
          label="Environment variables"
          name="envVars"
          value={envText}
          onChange={setEnvText}
          error={envError ?? errors?.fields.envVars}
          placeholder={"MY_SETTING=value\nOTHER_SETTING=42"}
          hint="One KEY=VALUE per line."
        />
      </fieldset>

      <div>
        <Button type="submit" disabled={create.isPending || create.isSuccess || overview.isPending}>
          {create.isPending || create.isSuccess ? "Creating…" : "Create instance"}
        </Button>
      </div>
    </form>
  );
}
