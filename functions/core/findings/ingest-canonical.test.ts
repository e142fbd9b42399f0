import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestText, ingestValue, normalizeGraphAlert } from './ingest.js';

// Every raw event is hashed with RFC 8785 canonical JSON (core/canonical-json.ts). An event holding a
// value JCS cannot encode is refused at the door, not when its hash is first read by the record writer.
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const gd = () =>
  JSON.parse(readFileSync(resolve(repo, 'test/fixtures/public/guardduty/sample-UnauthorizedAccess.EC2-SSHBruteForce.eventbridge.json'), 'utf8')) as {
    detail: Record<string, unknown>;
  };

describe('ingest and canonical JSON', () => {
  it('refuses an event with an unpaired surrogate, naming why; the well-formed twin ingests and hashes', () => {
    const bad = gd();
    bad.detail['title'] = 'SSH brute force \ud800';
    const refused = ingestText(JSON.stringify(bad), 'gd.json');
    expect(refused.findings).toEqual([]);
    expect(refused.rejected).toEqual([{ file: 'gd.json', reason: expect.stringMatching(/unpaired UTF-16 surrogate.*RFC 8785/) }]);

    const good = gd();
    good.detail['title'] = 'SSH brute force \ud83d\ude00';
    const accepted = ingestText(JSON.stringify(good), 'gd.json');
    expect(accepted.rejected).toEqual([]);
    expect(accepted.findings[0]?.rawSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a number JSON cannot carry (a parsed 1e999 is Infinity) and an unpaired surrogate in a key', () => {
    const text = JSON.stringify(gd()).replace('"schemaVersion":"2.0"', '"schemaVersion":"2.0","big":1e999');
    expect(text).toContain('1e999');
    expect(ingestText(text, 'gd.json').rejected[0]?.reason).toMatch(/NaN or infinite/);
    const value = gd();
    value.detail['\udc00'] = 1;
    expect(ingestValue(value, 'lambda').rejected[0]?.reason).toMatch(/unpaired UTF-16 surrogate/);
    expect(normalizeGraphAlert({ id: 'x', title: '\ud800' }, 'graph').rejected[0]?.reason).toMatch(/unpaired UTF-16 surrogate/);
  });

  it('hashes an event carrying a __proto__ key differently from the same event without it', () => {
    const plain = JSON.stringify(gd());
    const withProto = plain.replace('"detail":{', '"detail":{"__proto__":{"injected":true},');
    expect(withProto).not.toBe(plain);
    const a = ingestText(plain, 'a').findings[0]?.rawSha256;
    const b = ingestText(withProto, 'b').findings[0]?.rawSha256;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
  });
});
