import type { Finding } from '../model.js';

/** What a source module makes of one item: a finding, or the reason (naming the field) it cannot be one. */
export type Normalized = { ok: true; finding: Finding } | { ok: false; reason: string };

export const reject = (reason: string): Normalized => ({ ok: false, reason });
export const accept = (finding: Finding): Normalized => ({ ok: true, finding });

/** Case-insensitive lookup of a source's status word in a translation table. */
export function translate<T>(table: ReadonlyMap<string, T>, word: string | null | undefined): T | undefined {
  return word ? table.get(word.toLowerCase()) : undefined;
}
