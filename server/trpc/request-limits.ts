/**
 * Limits of one HTTP request to /api/trpc (app/api/trpc/[trpc]/route.ts). The largest
 * legitimate body, a create-instance form with its environment variables (at most 32 kB of
 * them), is far below the body limit; the browser client batches at most MAX_TRPC_BATCH calls
 * (components/providers/trpc-provider.tsx).
 */
export const MAX_TRPC_BODY_BYTES = 128 * 1024;
export const MAX_TRPC_BATCH = 10;
