import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FindingSchema } from './finding-schema.js';
import { type IngestResult, ingestText, ingestValue, normalizeGraphAlert } from './ingest.js';

/** Whatever comes in, ingest answers with a well-formed result and only complete findings. */
function assertWellFormed(result: IngestResult, origin: string): void {
  expect(Array.isArray(result.findings)).toBe(true);
  expect(Array.isArray(result.validations)).toBe(true);
  expect(Array.isArray(result.graphAlertRefs)).toBe(true);
  for (const r of result.rejected) {
    expect(r.file).toBe(origin);
    expect(typeof r.reason).toBe('string');
    expect(r.reason.length).toBeGreaterThan(0);
    // The guard turns exceptions into rejections; none may actually happen.
    expect(r.reason).not.toMatch(/^internal error/);
  }
  for (const f of result.findings) {
    expect(FindingSchema.safeParse(f.finding).success).toBe(true);
    expect(f.rawSha256).toMatch(/^[0-9a-f]{64}$/);
  }
}

// Keys that trip naive object handling, mixed with the keys our shape detection looks for.
const trickyKey = fc.constantFrom(
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  'detail-type', 'detail', 'findings', 'Findings', 'value', 'data', 'eventType', 'specversion', 'type',
  'id', 'Id', 'arn', 'schemaVersion', 'SchemaVersion', 'ProductArn', 'severity', 'Severity', 'resource',
  'properties', '@odata.type', 'evidence', 'resourceType', 'instanceDetails',
);
const key = fc.oneof(fc.string(), trickyKey);
const trickyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.integer(), fc.string(), fc.constantFrom(
      'GuardDuty Finding', 'Security Hub Findings - Imported', 'Microsoft.EventGrid.SubscriptionValidationEvent',
      'Microsoft.Graph.AlertCreated', '#microsoft.graph.security.alert', 'Microsoft.Security/Locations/alerts', 'Instance',
      'AccessKey', 'S3Bucket', '2018-10-08', '2.0', 'arn:aws:guardduty:us-east-1:1:detector/d/finding/f',
    )),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  ),
})).value;

const runs = { numRuns: 300 };

describe('ingest never throws', () => {
  it('on arbitrary JSON values (as text and as parsed values)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assertWellFormed(ingestText(JSON.stringify(v) ?? '', 'p.json'), 'p.json');
        assertWellFormed(ingestValue(v, 'p'), 'p');
      }),
      runs,
    );
  });

  it('on shape-like JSON with __proto__/constructor keys and source markers', () => {
    fc.assert(
      fc.property(trickyJson, (v) => {
        assertWellFormed(ingestText(JSON.stringify(v) ?? '', 'p.json'), 'p.json');
        assertWellFormed(ingestValue(v, 'p'), 'p');
        assertWellFormed(normalizeGraphAlert(v, 'g'), 'g');
      }),
      runs,
    );
  });

  it('on arbitrary strings, including broken JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json().map((j) => j.slice(0, Math.floor(j.length / 2)))), (s) => {
        assertWellFormed(ingestText(s, 's.json'), 's.json');
      }),
      runs,
    );
  });

  it('on anything at all, deep nesting included', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, maxDepth: 8 }), (v) => {
        assertWellFormed(ingestValue(v, 'a'), 'a');
        assertWellFormed(normalizeGraphAlert(v, 'a'), 'a');
      }),
      runs,
    );
  });

  it('on real events with fields mutated, finding or naming the field each time', () => {
    const gd = {
      'detail-type': 'GuardDuty Finding',
      detail: {
        id: 'f1', accountId: '111111111111', region: 'eu-west-1', type: 'Backdoor:EC2/C&CActivity.B', severity: 8,
        updatedAt: '2024-01-01T00:00:00Z', resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-1' } },
      },
    };
    const fields = Object.keys(gd.detail);
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, replacement) => {
        const event = structuredClone(gd) as { detail: Record<string, unknown> };
        event.detail[field] = replacement;
        const result = ingestValue(event, 'm');
        assertWellFormed(result, 'm');
        expect(result.findings.length + result.rejected.length).toBe(1);
        if (result.rejected.length === 1) expect(result.rejected[0]?.reason).toMatch(/^detail\./);
      }),
      runs,
    );
  });
});
