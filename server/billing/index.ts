import { env } from "../env";
import { builtinProvider } from "./builtin/builtin-provider";
import { createKillbillClient } from "./killbill/client";
import { createKillbillProvider } from "./killbill/provider";
import type { BillingProvider } from "./types";

let provider: BillingProvider | undefined;

/** The configured billing provider (BILLING_PROVIDER), created once per process. */
export function billingProvider(): BillingProvider {
  provider ??= createProvider();
  return provider;
}

function createProvider(): BillingProvider {
  const config = env();
  if (config.BILLING_PROVIDER === "builtin") return builtinProvider;
  return createKillbillProvider(killbillClient());
}

/** The Kill Bill API client from the environment (env validation guarantees the variables). */
export function killbillClient() {
  const config = env();
  return createKillbillClient({
    baseUrl: config.KILLBILL_URL!,
    username: config.KILLBILL_USERNAME!,
    password: config.KILLBILL_PASSWORD!,
    apiKey: config.KILLBILL_API_KEY!,
    apiSecret: config.KILLBILL_API_SECRET!,
  });
}

/** For tests that switch providers within one process. */
export function setBillingProviderForProcess(next: BillingProvider | undefined): void {
  provider = next;
}
