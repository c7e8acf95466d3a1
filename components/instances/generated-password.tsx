"use client";

import { useState } from "react";
import { Button, FormMessage } from "@/components/ui/form";

/**
 * A password the platform generated, shown this once (it is stored nowhere in plain): with a
 * copy button, and a way on once the customer has kept it.
 */
export function GeneratedPassword({ login, password, onContinue }: { login: string; password: string; onContinue: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="flex flex-col gap-4" data-testid="generated-password">
      <FormMessage kind="success">Your instance is on its way.</FormMessage>
      <div className="flex flex-col gap-2 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm">
        <p className="font-semibold text-slate-900">Your Odoo administrator password</p>
        <p className="text-slate-700">
          Log in to Odoo as <span className="font-medium">{login}</span> with this password. It is shown only now: copy it
          somewhere safe. You can set a new one from the instance page at any time.
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <code className="rounded bg-white px-3 py-2 font-mono text-base text-slate-900" data-testid="generated-password-value">
            {password}
          </code>
          <Button
            type="button"
            onClick={() => {
              void navigator.clipboard.writeText(password).then(() => setCopied(true), () => setCopied(false));
            }}
          >
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
      </div>
      <div>
        <Button type="button" onClick={onContinue}>
          I have kept it, continue
        </Button>
      </div>
    </div>
  );
}
