import { describe, expect, it } from "vitest";
import { PASSWORD_CASES } from "./password-policy.cases";
import { checkPassword, PASSWORD_RULES, ZPassword } from "./password-policy";

describe("password policy", () => {
  it.each(PASSWORD_CASES)("$password: accepted=$accepted ($why)", ({ password, accepted }) => {
    // Client path: the live checklist ticks every rule exactly when the server accepts.
    expect(checkPassword(password).every((rule) => rule.ok)).toBe(accepted);
    // Server path: the zod schema the mutations use.
    expect(ZPassword.safeParse(password).success).toBe(accepted);
  });

  it("names each unmet rule in the server's error", () => {
    const result = ZPassword.safeParse("abc");
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      "Password needs: at least 10 characters",
      "Password needs: an upper-case letter",
      "Password needs: a digit",
      "Password needs: a special character (e.g. ! ? # -)",
    ]);
  });

  it("lists every rule in the checklist", () => {
    expect(checkPassword("").map((rule) => rule.id)).toEqual(PASSWORD_RULES.map((rule) => rule.id));
  });
});
