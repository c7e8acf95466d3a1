/** Money and plan wording shared by the pricing page, the create form and the billing page. */

/** Cents as "$8.00". A fixed locale, so the server and the browser render the same text. */
export function formatMoney(cents: number, currency: string | null | undefined = "USD"): string {
  const code = currency && /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : "USD";
  return new Intl.NumberFormat("en-US", { style: "currency", currency: code }).format(cents / 100);
}

/** "$8.00 / month", or "Price unavailable" when the billing catalog could not be read. */
export function formatMonthlyPrice(plan: { priceCents: number | null; currency: string | null }): string {
  return plan.priceCents === null ? "Price unavailable" : `${formatMoney(plan.priceCents, plan.currency)} / month`;
}

/** "Start with the 14-day free trial" (no length when the catalog did not say). */
export function trialLabel(trialDays: number | null): string {
  return trialDays && trialDays > 0 ? `Start with the ${trialDays}-day free trial` : "Start with the free trial";
}
