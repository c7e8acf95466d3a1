import { checkPassword } from "@/server/auth/password-policy";

/** The password policy's rules, ticked live as the user types (the same rules the server applies). */
export function PasswordChecklist({ password }: { password: string }) {
  return (
    <ul className="mt-1 flex flex-col gap-0.5 text-xs" aria-label="Password requirements">
      {checkPassword(password).map((rule) => (
        <li
          key={rule.id}
          data-rule={rule.id}
          data-ok={rule.ok}
          className={rule.ok ? "text-emerald-700" : "text-slate-500"}
        >
          <span aria-hidden>{rule.ok ? "✓" : "○"}</span> {rule.label}
          <span className="sr-only">{rule.ok ? " (met)" : " (not met yet)"}</span>
        </li>
      ))}
    </ul>
  );
}
