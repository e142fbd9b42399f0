import { unencodableLeaf } from '../canonical-json.js';

/** Real events nest about a dozen levels; anything far deeper is hostile or broken, not a finding. */
export const MAX_DEPTH = 64;

export type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: string };

/** JSON.parse that reports where it failed as line/column instead of throwing. */
export function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, reason: describeParseError(text, e) };
  }
}

function describeParseError(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  // V8 says "... in JSON at position N (line L column C)"; older ones only give the position.
  const problem = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
  const position = /at position (\d+)/.exec(message);
  if (position?.[1] !== undefined) {
    const { line, column } = lineColumn(text, Number(position[1]));
    return `invalid JSON at line ${line}, column ${column}: ${problem}`;
  }
  if (/end of JSON input/i.test(message)) {
    const { line, column } = lineColumn(text, text.length);
    return `invalid JSON at line ${line}, column ${column}: unexpected end of input`;
  }
  return `invalid JSON: ${problem}`;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export interface Measure {
  /** Nesting depth of arrays/objects (stops counting past the limit). */
  depth: number;
  /** The size of the value written as compact JSON, in bytes, without writing it (ASCII-exact, close otherwise). */
  bytes: number;
  /**
   * Set when a leaf cannot be canonicalized (RFC 8785), say why: such an event could never be hashed,
   * so ingest refuses it here rather than failing when its raw hash is first read.
   */
  unencodable?: string;
}

/**
 * Depth and JSON size in one walk, without recursion, so hostile input cannot blow the stack and a
 * parsed event need not be serialized again just to be measured. Non-JSON values count as `null`.
 */
export function measure(value: unknown, depthLimit = MAX_DEPTH): Measure {
  let depth = 0;
  let bytes = 0;
  let unencodable: string | undefined;
  // Two parallel stacks rather than [value, level] pairs: no allocation per node on the hot path.
  const values: unknown[] = [value];
  const levels: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const level = levels.pop() as number;
    if (typeof v === 'string') {
      bytes += v.length + 2;
      unencodable ??= unencodableLeaf(v);
    } else if (typeof v === 'number' || typeof v === 'boolean') {
      bytes += String(v).length;
      unencodable ??= unencodableLeaf(v);
    } else if (v === null || typeof v !== 'object') bytes += 4;
    else {
      const here = level + 1;
      if (here > depth) depth = here;
      if (depth > depthLimit) break;
      if (Array.isArray(v)) {
        bytes += 1 + Math.max(v.length, 1);
        for (const child of v) {
          values.push(child);
          levels.push(here);
        }
      } else {
        const keys = Object.keys(v);
        bytes += 1 + Math.max(keys.length, 1);
        for (const key of keys) {
          bytes += key.length + 3;
          unencodable ??= unencodableLeaf(key);
          values.push((v as Record<string, unknown>)[key]);
          levels.push(here);
        }
      }
    }
  }
  return unencodable === undefined ? { depth, bytes } : { depth, bytes, unencodable };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
