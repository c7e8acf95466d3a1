const FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** A day in the viewer's locale (the server's text may differ on hydration; React is told so). */
export function LocalDate({ date }: { date: Date | string }) {
  const value = typeof date === "string" ? new Date(date) : date;
  return (
    <time dateTime={value.toISOString()} suppressHydrationWarning>
      {FORMAT.format(value)}
    </time>
  );
}
