const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/**
 * A timestamp in the viewer's locale. The server renders it in its own time zone, so React is
 * told not to complain when the browser's text differs on hydration.
 */
export function LocalTime({ date, className }: { date: Date | string; className?: string }) {
  const value = typeof date === "string" ? new Date(date) : date;
  return (
    <time dateTime={value.toISOString()} className={className} suppressHydrationWarning>
      {FORMAT.format(value)}
    </time>
  );
}
