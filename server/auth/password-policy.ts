import { z } from "zod";

/**
 * The one password policy: the signup form's live checklist and the server's mutations both
 * use these rules, so they can never disagree.
 */
export const PASSWORD_RULES = [
  { id: "length", label: "At least 10 characters", test: (p: string) => [...p].length >= 10 },
  { id: "upper", label: "An upper-case letter", test: (p: string) => /\p{Lu}/u.test(p) },
  { id: "lower", label: "A lower-case letter", test: (p: string) => /\p{Ll}/u.test(p) },
  { id: "digit", label: "A digit", test: (p: string) => /\p{Nd}/u.test(p) },
  { id: "special", label: "A special character (e.g. ! ? # -)", test: (p: string) => /[^\p{L}\p{Nd}\s]/u.test(p) },
] as const;

export type PasswordRuleId = (typeof PASSWORD_RULES)[number]["id"];

export function checkPassword(password: string): { id: PasswordRuleId; label: string; ok: boolean }[] {
  return PASSWORD_RULES.map((rule) => ({ id: rule.id, label: rule.label, ok: rule.test(password) }));
}

export const ZPassword = z
  .string()
  .max(256, { message: "Password must be at most 256 characters" })
  .superRefine((password, ctx) => {
    for (const rule of PASSWORD_RULES) {
      if (!rule.test(password)) ctx.addIssue({ code: "custom", message: `Password needs: ${rule.label.toLowerCase()}` });
    }
  });
