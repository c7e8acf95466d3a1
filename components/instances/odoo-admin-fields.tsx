"use client";

import { useEffect, useMemo, useState } from "react";
import { PasswordChecklist } from "@/components/password-checklist";
import { CheckboxField, Field, SelectField } from "@/components/ui/form";
import { ODOO_LANGUAGES } from "@/server/domain/instances/schemas";

export type OdooAdminChoice = { password: string; generate: boolean; lang: string; timezone: string };

/** The browser's own time zone, when the runtime knows it; UTC otherwise. */
function browserTimeZone(zones: readonly string[]): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && zones.includes(zone) ? zone : "UTC";
}

/**
 * How the customer will log in to their Odoo: the administrator's password (the platform's
 * policy, ticked live; or generated and shown once), and the administrator's language and time
 * zone. The login itself is the instance's admin email.
 */
export function OdooAdminFields({
  value,
  onChange,
  errors,
}: {
  value: OdooAdminChoice;
  onChange: (next: OdooAdminChoice) => void;
  errors?: Partial<Record<"adminPassword" | "odooLang" | "odooTimezone", string>>;
}) {
  const zones = useMemo(() => ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")], []);
  // Rendered on the server first: the browser's zone is only known once mounted.
  const [zoneTouched, setZoneTouched] = useState(false);
  useEffect(() => {
    if (!zoneTouched && value.timezone === "UTC") onChange({ ...value, timezone: browserTimeZone(zones) });
    // Once, on mount.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <fieldset className="flex flex-col gap-4 rounded-xl border border-slate-200 p-4" data-testid="odoo-admin-fields">
      <legend className="px-1 text-sm font-medium text-slate-700">Your Odoo administrator</legend>
      <p className="text-sm text-slate-600">You log in to Odoo with the instance&apos;s admin email and this password.</p>
      <CheckboxField
        name="generatePassword"
        label="Generate a password for me"
        checked={value.generate}
        onChange={(generate) => onChange({ ...value, generate })}
        disabled={false}
        hint={value.generate ? "It is shown once, right after the instance is created, with a copy button." : "Choose your own below."}
      />
      {value.generate ? null : (
        <Field
          label="Odoo administrator password"
          name="adminPassword"
          type="password"
          autoComplete="new-password"
          value={value.password}
          onChange={(event) => onChange({ ...value, password: event.target.value })}
          error={errors?.adminPassword}
          hint={<PasswordChecklist password={value.password} />}
          maxLength={256}
        />
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Language"
          name="odooLang"
          value={value.lang}
          onChange={(lang) => onChange({ ...value, lang })}
          options={ODOO_LANGUAGES.map((language) => ({ value: language.code, label: language.label }))}
          error={errors?.odooLang}
        />
        <SelectField
          label="Time zone"
          name="odooTimezone"
          value={value.timezone}
          onChange={(timezone) => {
            setZoneTouched(true);
            onChange({ ...value, timezone });
          }}
          options={zones.map((zone) => ({ value: zone, label: zone.replaceAll("_", " ") }))}
          error={errors?.odooTimezone}
        />
      </div>
    </fieldset>
  );
}
