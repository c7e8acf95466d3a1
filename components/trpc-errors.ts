import { TRPCClientError } from "@trpc/client";

/** Field errors and the message from a failed tRPC call, for forms. */
export function formErrors(error: unknown): { message: string; fields: Record<string, string | undefined> } {
  if (error instanceof TRPCClientError) {
    const data = error.data as { fieldErrors?: Record<string, string[] | undefined> | null } | undefined;
    const fields = Object.fromEntries(
      Object.entries(data?.fieldErrors ?? {}).map(([field, messages]) => [field, messages?.[0]]),
    );
    return { message: error.message, fields };
  }
  return { message: "Something went wrong. Please try again.", fields: {} };
}
