// Date arithmetic of the stand-in, in UTC (Kill Bill works in the account's time zone; the
// stand-in's accounts all behave as UTC).

export const DAY_MS = 86_400_000;

export type DurationUnit = "DAYS" | "WEEKS" | "MONTHS" | "YEARS" | "UNLIMITED";

export interface Duration {
  unit: DurationUnit;
  /** -1 for UNLIMITED, as Kill Bill renders it. */
  number: number;
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Same day of month `months` later, clamped to the month's last day (Jan 31 + 1 = Feb 28). */
export function addMonths(date: Date, months: number): Date {
  const target = new Date(date.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target;
}

/** End of a phase of this length that starts at `start`; null when it never ends. */
export function addDuration(start: Date, duration: Duration): Date | null {
  switch (duration.unit) {
    case "DAYS":
      return addDays(start, duration.number);
    case "WEEKS":
      return addDays(start, duration.number * 7);
    case "MONTHS":
      return addMonths(start, duration.number);
    case "YEARS":
      return addMonths(start, duration.number * 12);
    case "UNLIMITED":
      return null;
  }
}

/** Kill Bill's LocalDate rendering: `yyyy-mm-dd`. */
export function localDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Kill Bill's DateTime rendering: ISO 8601 with milliseconds, UTC. */
export function dateTime(date: Date): string {
  return date.toISOString();
}
