/**
 * The one canonical JSON and the one SHA-256 of Cordon (DESIGN.md §audit: the audit hash is over
 * RFC 8785 JSON Canonicalization). Everything that hashes a value — the audit chain, the raw-event
 * hash of ingest, the S3 audit mirror, `cordon audit` exports — goes through here, so two writers
 * can never disagree on the bytes of one value.
 *
 * JCS itself comes from `canonicalize` (the reference implementation by the RFC's co-author) rather
 * than a hand-rolled writer: sorting by UTF-16 code units, ES number formatting and string escaping
 * are exactly what the RFC specifies. Every own enumerable key is kept, `__proto__` and `constructor`
 * included (a key that a writer skips is content an attacker could add without changing the hash).
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** A value RFC 8785 cannot encode: a non-finite number, a string with an unpaired surrogate, a cycle. */
export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

/**
 * RFC 8785 canonical JSON of `value`. Members whose value is `undefined` (or a function/symbol) are
 * left out as JSON.stringify does; `toJSON` is honoured (a Date is its ISO string).
 * Throws CanonicalJsonError for what JCS refuses, rather than writing something that could collide
 * (the old writers turned NaN and Infinity into `null`).
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (e) {
    throw new CanonicalJsonError(`cannot canonicalize (RFC 8785): ${e instanceof Error ? e.message : String(e)}`);
  }
  if (text === undefined) throw new CanonicalJsonError('cannot canonicalize (RFC 8785): the value has no JSON form');
  return text;
}

/** SHA-256, lower-case hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

// Unicode mode reads a surrogate pair as one code point, so `\p{Cs}` matches only an unpaired half.
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/**
 * Why JCS cannot encode this leaf (a string, a key or a number), or undefined when it can.
 * For walks that already visit every leaf (ingest's measure) to refuse such input up front,
 * instead of finding out when the value is first hashed.
 */
export function unencodableLeaf(leaf: unknown): string | undefined {
  if (typeof leaf === 'string') return UNPAIRED_SURROGATE.test(leaf) ? 'a string with an unpaired UTF-16 surrogate' : undefined;
  if (typeof leaf === 'number') return Number.isFinite(leaf) ? undefined : 'a number outside the range of JSON (NaN or infinite)';
  return undefined;
}
