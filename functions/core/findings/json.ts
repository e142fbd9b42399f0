import { createHash } from 'node:crypto';

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
}

/**
 * Depth and JSON size in one walk, without recursion, so hostile input cannot blow the stack and a
 * parsed event need not be serialized again just to be measured. Non-JSON values count as `null`.
 */
export function measure(value: unknown, depthLimit = MAX_DEPTH): Measure {
  let depth = 0;
  let bytes = 0;
  // Two parallel stacks rather than [value, level] pairs: no allocation per node on the hot path.
  const values: unknown[] = [value];
  const levels: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const level = levels.pop() as number;
    if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean') bytes += String(v).length;
    else if (v === null || typeof v !== 'object') bytes += 4;
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
          values.push((v as Record<string, unknown>)[key]);
          levels.push(here);
        }
      }
    }
  }
  return { depth, bytes };
}

/** JSON with object keys sorted at every level: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  writeCanonical(value, out);
  return out.join('');
}

function writeCanonical(value: unknown, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    out.push(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      writeCanonical(value[i], out);
    }
    out.push(']');
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  out.push('{');
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out.push(first ? '' : ',', JSON.stringify(key), ':');
    first = false;
    writeCanonical(v, out);
  }
  out.push('}');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
