/**
 * PostgreSQL refuses the NUL character (U+0000) in text and jsonb, so a NUL that reaches a query
 * fails it with a server error. Input is checked for one at the edge (the tRPC base procedure,
 * the HTTP routes) and refused with a field error instead. Pure: no I/O.
 */
export const NUL_MESSAGE = "must not contain a NUL character";

export type NulHit = {
  /** Dotted path of the value ("envVars.FOO", "customAddons.0"); `rootName` for the input itself. */
  field: string;
  /** The NUL is in a key of the object at `field` (an env var name), not in a value. */
  inKey: boolean;
};

const hasNul = (value: string) => value.includes("\u0000");
const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

/**
 * The first string (value or object key) holding a NUL, walking objects, arrays, Maps and Sets
 * without recursion (a deeply nested body cannot overflow the stack). Shared references and
 * cycles are walked once.
 */
export function findNul(input: unknown, rootName = "input"): NulHit | null {
  const stack: { value: unknown; path: string }[] = [{ value: input, path: "" }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string") {
      if (hasNul(value)) return { field: path || rootName, inKey: false };
      continue;
    }
    if (value === null || typeof value !== "object" || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value) || value instanceof Set) {
      [...value].forEach((item, index) => stack.push({ value: item, path: join(path, index) }));
    } else if (value instanceof Map) {
      for (const [key, item] of value) {
        if (typeof key === "string" && hasNul(key)) return { field: path || rootName, inKey: true };
        stack.push({ value: item, path: typeof key === "string" ? join(path, key) : path });
      }
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (hasNul(key)) return { field: path || rootName, inKey: true };
        stack.push({ value: item, path: join(path, key) });
      }
    }
  }
  return null;
}

/** The field error for a hit: { "envVars.FOO": ["must not contain a NUL character"] }. */
export function nulFieldErrors(hit: NulHit): Record<string, string[]> {
  return { [hit.field]: [hit.inKey ? `${NUL_MESSAGE} in a name` : NUL_MESSAGE] };
}

/** "envVars.FOO must not contain a NUL character." */
export const nulMessage = (hit: NulHit) => `${hit.field} ${nulFieldErrors(hit)[hit.field]![0]}.`;
