"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { LocalTime } from "@/components/instances/local-time";
import type { InstanceDetail } from "@/components/instances/types";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";
import { RESTORABLE_IN_PLACE } from "@/server/domain/backups/backup-rules";
import { ZSubdomain } from "@/server/domain/instances/schemas";
import type { Backup } from "./types";
import { SubdomainCheck } from "@/components/instances/subdomain-check";
import { GeneratedPassword } from "@/components/instances/generated-password";
import { PasswordChecklist } from "@/components/password-checklist";


type Target = "new" | "in-place";

/**
 * Where to restore a finished backup: into a new instance (the default; this one is not
 * touched) or over this instance's data, confirmed by typing its subdomain.
 */
export function RestoreForm({
  backup,
  instance,
  onClose,
}: {
  backup: Pick<Backup, "id" | "createdAt">;
  instance: Pick<InstanceDetail, "id" | "name" | "subdomain" | "status" | "adminEmail">;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const headingId = useId();
  const [target, setTarget] = useState<Target>("new");
  const [name, setName] = useState(() => `${instance.name} (restored)`.slice(0, 64));
  const [subdomain, setSubdomain] = useState("");
  const [localErrors, setLocalErrors] = useState<{ name?: string; subdomain?: string }>({});
  const [typed, setTyped] = useState("");
  /** The new instance's Odoo administrator password; left empty, one is generated and shown once. */
  const [adminPassword, setAdminPassword] = useState("");
  const [generated, setGenerated] = useState<{ password: string; instanceId: string }>();

  const restore = useMutation(
    trpc.backups.restore.mutationOptions({
      onSuccess: async (result, input) => {
        if (input.target === "new") {
          await queryClient.invalidateQueries({ queryKey: trpc.instances.list.queryKey() });
          if ("generatedOdooPassword" in result && result.generatedOdooPassword) {
            setGenerated({ password: result.generatedOdooPassword, instanceId: result.instanceId });
          } else router.push(`/instances/${result.instanceId}`);
          return;
        }
        // The instance is RESTORING now: refetch it at once, the page's polling does the rest.
        void queryClient.invalidateQueries(trpc.instances.pathFilter());
        void queryClient.invalidateQueries(trpc.backups.list.queryFilter({ id: instance.id }));
        onClose();
      },
    }),
  );
  const errors = restore.error ? formErrors(restore.error) : undefined;
  const busy = restore.isPending || (restore.isSuccess && restore.variables.target === "new");

  const confirmWord = instance.subdomain;
  const inPlaceAllowed = confirmWord !== null && RESTORABLE_IN_PLACE.includes(instance.status);
  const confirmed = inPlaceAllowed && typed.trim() === confirmWord;

  function choose(next: Target) {
    setTarget(next);
    restore.reset();
  }

  function validateNew(): { name: string; subdomain: string } | null {
    const parsed = ZSubdomain.safeParse(subdomain);
    const problems = {
      name: name.trim() === "" ? "Give the new instance a name" : undefined,
      subdomain: parsed.success ? undefined : (parsed.error.issues[0]?.message ?? "Check the subdomain"),
    };
    setLocalErrors(problems);
    return parsed.success && !problems.name ? { name: name.trim(), subdomain: parsed.data } : null;
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (target === "new") {
      const valid = validateNew();
      if (valid) restore.mutate({ backupId: backup.id, target: "new", ...valid, adminPassword: adminPassword || undefined });
    } else if (confirmed) {
      restore.mutate({ backupId: backup.id, target: "in-place", confirmSubdomain: typed.trim() });
    }
  }

  if (generated) {
    return (
      <GeneratedPassword
        login={instance.adminEmail}
        password={generated.password}
        onContinue={() => router.push(`/instances/${generated.instanceId}`)}
      />
    );
  }

  return (
    <form
      id="restore-panel"
      onSubmit={onSubmit}
      aria-labelledby={headingId}
      className="flex flex-col gap-4 rounded-xl border border-slate-200 bg-slate-50 p-4"
      noValidate
    >
      <h3 id={headingId} className="font-semibold text-slate-900">
        Restore the backup of <LocalTime date={backup.createdAt} />
      </h3>
      {errors ? <FormMessage kind="error">{errors.message}</FormMessage> : null}

      <fieldset className="flex flex-col gap-2 text-sm">
        <legend className="mb-2 font-medium text-slate-700">Restore into</legend>
        <div className="grid gap-3 sm:grid-cols-2">
          <TargetOption
            value="new"
            checked={target === "new"}
            onChange={choose}
            testId="restore-target-new"
            title="Into a new instance"
            description="A new instance on the same plan is created from this backup. This instance is not touched."
          />
          <TargetOption
            value="in-place"
            checked={target === "in-place"}
            onChange={choose}
            testId="restore-target-in-place"
            title="Replace this instance's data"
            description={
              inPlaceAllowed
                ? "This instance's database and files are replaced by the backup's."
                : "Only possible while this instance is running or stopped."
            }
            disabled={!inPlaceAllowed}
          />
        </div>
      </fieldset>

      {target === "new" ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label="Name of the new instance"
            name="restoreName"
            data-testid="restore-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            error={localErrors.name ?? errors?.fields.name}
            maxLength={64}
            required
            autoFocus
          />
          <Field
            label="Subdomain of the new instance"
            name="restoreSubdomain"
            data-testid="restore-subdomain"
            value={subdomain}
            onChange={(event) => {
              setSubdomain(event.target.value);
              if (localErrors.subdomain) setLocalErrors((current) => ({ ...current, subdomain: undefined }));
            }}
            error={localErrors.subdomain ?? errors?.fields.subdomain}
            hint={<SubdomainCheck subdomain={subdomain} testId="restore-subdomain-check" emptyHint="4-32 lower-case letters, digits and hyphens." checkedLater="when you restore" />}
            placeholder="acme-copy"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            maxLength={64}
            required
          />
          <div className="sm:col-span-2">
            <Field
              label="Odoo administrator password of the new instance"
              name="restoreAdminPassword"
              type="password"
              autoComplete="new-password"
              value={adminPassword}
              onChange={(event) => setAdminPassword(event.target.value)}
              error={errors?.fields.adminPassword}
              hint={
                <>
                  <span className="text-slate-500">Leave empty to have one generated (shown once).</span>
                  {adminPassword ? <PasswordChecklist password={adminPassword} /> : null}
                </>
              }
              maxLength={256}
            />
          </div>
        </div>
      ) : (
        <div className="flex flex-col gap-3 rounded-xl border border-red-200 bg-red-50 p-4">
          <p className="text-sm text-red-900">
            The current database and files of this instance are replaced by the backup&apos;s; Odoo is unavailable while
            the restore runs. A pre-restore backup of the current data is taken first, so you can come back to it. Type{" "}
            <code className="rounded bg-white px-1 font-mono font-semibold">{confirmWord}</code> to confirm.
          </p>
          <Field
            label="Type the subdomain to confirm the restore"
            name="restoreConfirmSubdomain"
            data-testid="restore-confirm-subdomain"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            error={errors?.fields.confirmSubdomain}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            autoFocus
          />
        </div>
      )}

      <div className="flex gap-2">
        <Button
          type="submit"
          variant={target === "new" ? "primary" : "danger"}
          data-testid="restore-submit"
          disabled={busy || (target === "in-place" && !confirmed)}
        >
          {busy ? "Restoring…" : target === "new" ? "Restore into a new instance" : "Replace this instance's data"}
        </Button>
        <Button type="button" variant="secondary" onClick={onClose} disabled={busy}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function TargetOption({
  value,
  checked,
  onChange,
  testId,
  title,
  description,
  disabled,
}: {
  value: Target;
  checked: boolean;
  onChange: (value: Target) => void;
  testId: string;
  title: string;
  description: string;
  disabled?: boolean;
}) {
  const descriptionId = useId();
  return (
    <label className="flex cursor-pointer flex-col gap-1 rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-brand-500 has-checked:border-brand-500 has-checked:ring-2 has-checked:ring-brand-100 has-disabled:cursor-not-allowed has-disabled:opacity-60">
      <span className="flex items-center gap-2">
        <input
          type="radio"
          name="restoreTarget"
          value={value}
          checked={checked}
          onChange={() => onChange(value)}
          disabled={disabled}
          aria-describedby={descriptionId}
          data-testid={testId}
          className="accent-brand-500"
        />
        <span className="font-semibold text-slate-900">{title}</span>
      </span>
      <span id={descriptionId} className="text-slate-600">
        {description}
      </span>
    </label>
  );
}

