import { createHash } from 'node:crypto';

/**
 * Canonical JSON, the form the audit chain hashes: object keys sorted by UTF-16 code units
 * (JavaScript's default sort), members whose value is `undefined` dropped, no whitespace,
 * arrays in their order, strings and numbers exactly as JSON.stringify writes them.
 * The same value always gives the same bytes, whatever order its keys were built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      if (source[key] !== undefined) out[key] = sortKeys(source[key]);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
