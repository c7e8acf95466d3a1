import { TRPCClientError } from "@trpc/client";

/**
 * Field errors and the message from a failed tRPC call, for forms. `planLimit` is set when the
 * customer's plan refused it (a larger plan lifts it), so the form can offer the upgrade.
 */
export function formErrors(error: unknown): { message: string; fields: Record<string, string | undefined>; planLimit: boolean } {
  if (error instanceof TRPCClientError) {
    const data = error.data as { fieldErrors?: Record<string, string[] | undefined> | null; appCode?: string | null } | undefined;
    const fields = Object.fromEntries(
      Object.entries(data?.fieldErrors ?? {}).map(([field, messages]) => [field, messages?.[0]]),
    );
    return { message: error.message, fields, planLimit: data?.appCode === "PLAN_LIMIT" };
  }
  return { message: "Something went wrong. Please try again.", fields: {}, planLimit: false };
}
