/** Tags as `{ key: value }` from the list shapes clouds use (`[{key, value}]`, `[{Key, Value}]`). */
export function tagsFromList(
  list: readonly { key?: string | null; value?: string | null }[] | null | undefined,
): Record<string, string> {
  if (!list) return {};
  // fromEntries defines own properties, so a hostile "__proto__" tag key stays a plain key.
  return Object.fromEntries(
    list.filter((t) => typeof t.key === 'string' && t.key !== '').map((t) => [t.key as string, t.value ?? '']),
  );
}

/** Graph evidence tags are free strings; `cordon:exempt=true` style strings become key/value pairs. */
export function tagsFromStrings(list: readonly (string | null)[] | null | undefined): Record<string, string> {
  if (!list) return {};
  return Object.fromEntries(
    list
      .filter((t): t is string => typeof t === 'string' && t !== '')
      .map((t) => {
        const eq = t.indexOf('=');
        return eq > 0 ? [t.slice(0, eq), t.slice(eq + 1)] : [t, ''];
      }),
  );
}

/** Keeps only the string-valued facts, stringifying numbers and booleans; drops empty values. */
export function stringDetails(entries: Record<string, unknown>): Record<string, string> {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(entries)) {
    if (typeof v === 'string' && v !== '') out.push([k, v]);
    else if (typeof v === 'number' || typeof v === 'boolean') out.push([k, String(v)]);
  }
  return Object.fromEntries(out);
}
