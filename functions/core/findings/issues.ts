import type * as z from 'zod';

/** A path into the event as a reader writes it: `detail.findings[2].Id`. */
export type Path = readonly (string | number)[];

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** Why an item was rejected, naming the field: `detail.id: required`. */
export function reasonAt(path: Path, problem: string): string {
  const where = formatPath(path);
  return where === '' ? problem : `${where}: ${problem}`;
}

/**
 * Turns the first zod issue into one readable line rooted at `base`; `spell` maps the schema's path
 * back to the event's own spelling when the event was rewritten before parsing.
 */
export function zodReason(
  error: z.ZodError,
  input: unknown,
  base: Path,
  spell: (path: Path) => Path = (p) => p,
): string {
  const issue = error.issues[0];
  if (issue === undefined) return reasonAt(base, 'invalid');
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  return reasonAt([...base, ...spell(path)], describeIssue(issue, valueAt(input, path)));
}

function describeIssue(issue: z.core.$ZodIssue, actual: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (actual === undefined) return 'required';
      return `expected ${article(issue.expected)}, got ${describeValue(actual)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(actual)}`;
    case 'too_small':
      return issue.origin === 'array' ? `expected at least ${String(issue.minimum)} item(s)` : issue.message;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? 'a string' : JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}
