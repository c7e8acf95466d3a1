/** Parsing of the create form's free-text fields into what instances.create expects. */

/** "sale, crm  website" -> ["sale", "crm", "website"] (commas or white space separate names). */
export function parseAddons(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((name) => name.trim()).filter(Boolean))];
}

/**
 * KEY=VALUE lines -> { KEY: "VALUE" }. Blank lines and lines starting with # are skipped; the
 * value is everything after the first "=". The server validates names and values.
 */
export function parseEnvVars(text: string): { vars: Record<string, string>; error?: string } {
  const vars: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const equals = line.indexOf("=");
    if (equals <= 0) return { vars, error: `Line ${index + 1}: write KEY=VALUE` };
    const key = line.slice(0, equals).trim();
    if (Object.hasOwn(vars, key)) return { vars, error: `Line ${index + 1}: ${key} is set twice` };
    vars[key] = line.slice(equals + 1).trim();
  }
  return { vars };
}
