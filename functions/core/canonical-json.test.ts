import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson, sha256Hex, unencodableLeaf } from './canonical-json.js';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys at every depth by UTF-16 code units and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    // RFC 8785 §3.2.3: the sorting example (code units, so U+1F600 as a surrogate pair sorts before U+FB33).
    const keys = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalJson(keys)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes numbers and strings as RFC 8785 specifies', () => {
    // RFC 8785 §3.2.2.3 examples.
    expect(canonicalJson([1e21, 1e-7, -0, 0.000001, 333333333.3333333, 1e23, 4.5])).toBe('[1e+21,1e-7,0,0.000001,333333333.3333333,1e+23,4.5]');
    expect(canonicalJson('\u20ac$\u000f\nA\'B"\\\\"/')).toBe('"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"');
    expect(canonicalJson({ when: new Date('2024-03-30T22:20:01Z') })).toBe('{"when":"2024-03-30T22:20:01.000Z"}');
  });

  it('keeps __proto__ and constructor keys like any other key', () => {
    // JSON.parse makes an own `__proto__` key; spreading or assigning would set the prototype instead.
    const withProto = JSON.parse('{"data":{"__proto__":{"admin":true},"a":1}}') as unknown;
    const without = { data: { a: 1 } };
    expect(canonicalJson(withProto)).toBe('{"data":{"__proto__":{"admin":true},"a":1}}');
    expect(sha256Hex(canonicalJson(withProto))).not.toBe(sha256Hex(canonicalJson(without)));
    expect(canonicalJson(JSON.parse('{"constructor":{"name":"x"}}'))).toBe('{"constructor":{"name":"x"}}');
  });

  it('twin: a writer that rebuilds objects by assignment loses the __proto__ key, so the two hash alike', () => {
    // The encoder Cordon had before: sorted keys copied into a fresh object. This is the hole the test above closes.
    const rebuild = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(rebuild);
      if (v === null || typeof v !== 'object') return v;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = rebuild((v as Record<string, unknown>)[k]);
      return out;
    };
    const withProto = JSON.parse('{"data":{"__proto__":{"admin":true},"a":1}}') as unknown;
    expect(JSON.stringify(rebuild(withProto))).toBe(JSON.stringify(rebuild({ data: { a: 1 } })));
  });

  it('gives the same bytes as the previous audit writer for ordinary records, so old chains keep verifying', () => {
    const record = {
      seq: 7,
      at: '2024-03-30T22:20:01.000Z',
      incident: 'inc-0123456789abcdef',
      event: 'step.end',
      data: { step: 'isolate-instance:i-0abc', outcome: 'succeeded', detail: { sg: 'sg-1', note: 'caf\u00e9 \u20ac \ud83d\ude00 "q" \n', n: [1.5, -0, 1e21, 0.000001, 100] } },
      prev: 'a'.repeat(64),
    };
    // Pinned from the encoder this replaced (records/canonical-json.ts before RFC 8785).
    expect(sha256Hex(canonicalJson(record))).toBe('0331018eb842a5f4898046b338aa581a74a6ad21e5e01aa62b737ee4649859f5');
  });

  it('refuses what RFC 8785 cannot encode instead of writing a colliding null', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ s: '\ud800' })).toThrow(CanonicalJsonError);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => canonicalJson(cycle)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(undefined)).toThrow(CanonicalJsonError);
  });

  it('names the leaves it cannot encode, so a walk can refuse them up front', () => {
    expect(unencodableLeaf('\udc00x')).toMatch(/unpaired UTF-16 surrogate/);
    expect(unencodableLeaf('\ud83d\ude00')).toBeUndefined();
    expect(unencodableLeaf(Number.NEGATIVE_INFINITY)).toMatch(/NaN or infinite/);
    expect(unencodableLeaf(1e308)).toBeUndefined();
    expect(unencodableLeaf(null)).toBeUndefined();
  });

  it('hashes text and bytes with SHA-256 as lower-case hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(sha256Hex('abc'));
  });
});
