import { readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cordon, FIXTURES, PUBLIC_FIXTURES } from './harness.js';

const publicFiles = ['guardduty', 'securityhub'].flatMap((d) => readdirSync(join(PUBLIC_FIXTURES, d)).filter((f) => f.endsWith('.json')).map((f) => join(PUBLIC_FIXTURES, d, f)));

describe('cordon plan', () => {
  it('plans every public fixture and prints the DESIGN.md JSON document', async () => {
    const r = await cordon(['plan', '--json', ...publicFiles]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { incidents: Record<string, unknown>[]; rejected: unknown[] };
    expect(doc.rejected).toEqual([]);
    expect(doc.incidents).toHaveLength(publicFiles.length);
    for (const inc of doc.incidents) {
      expect(Object.keys(inc).sort()).toEqual(['assessment', 'clocks', 'finding', 'id', 'playbook', 'skipped', 'steps', 'trust']);
      expect(inc.id).toMatch(/^inc-[0-9a-f]{16}$/);
      const finding = inc.finding as Record<string, unknown>;
      expect(Object.keys(finding).sort()).toEqual(['account', 'cloud', 'id', 'observedAt', 'producer', 'region', 'resources', 'sample', 'severity', 'source', 'type']);
    }
  });

  it('is deterministic: the same finding id gives the same incident id', async () => {
    const file = join(PUBLIC_FIXTURES, 'securityhub/asr-simdata-afsbp-s3.8.json');
    const a = JSON.parse((await cordon(['plan', '--json', file])).stdout);
    const b = JSON.parse((await cordon(['plan', '--json', file, file])).stdout);
    expect(b.incidents).toHaveLength(1);
    expect(b.incidents[0].id).toBe(a.incidents[0].id);
  });

  it('skips every step of a GuardDuty sample finding in automatic mode, and acts on it in tabletop mode', async () => {
    const file = join(PUBLIC_FIXTURES, 'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json');
    const auto = JSON.parse((await cordon(['plan', '--json', file])).stdout).incidents[0];
    expect(auto.playbook).toBe('aws-ec2-compromise');
    expect(auto.steps).toEqual([]);
    expect(auto.skipped.map((s: { reason: string }) => s.reason)).toEqual(Array(4).fill('sample-finding'));
    const table = JSON.parse((await cordon(['plan', '--json', '--mode', 'tabletop', file])).stdout).incidents[0];
    expect(table.steps.map((s: { action: string }) => s.action).sort()).toEqual(['detach-from-autoscaling', 'quarantine-instance', 'revoke-instance-credentials', 'snapshot-volumes']);
  });

  it('a Security Hub S3.8 FAILED finding on an unclassified bucket: no gdpr-art33 clock, an assessment `assessing`', async () => {
    const file = join(FIXTURES, 'clocks/securityhub-s3.8-unclassified.json');
    const inc = JSON.parse((await cordon(['plan', '--json', '--aware-at', '2026-03-28T12:00:00Z', file])).stdout).incidents[0];
    expect(inc.playbook).toBe('aws-s3-data-exposure');
    expect(inc.clocks).toEqual([]);
    expect(inc.assessment).toEqual({ personalData: 'unknown', status: 'assessing', basis: expect.stringMatching(/control S3\.8 FAILED/) });
  });

  it('GuardDuty Policy:S3/BucketAnonymousAccessGranted on a bucket tagged data-classification=personal: the GDPR clock, 72 h after awareness', async () => {
    const file = join(FIXTURES, 'clocks/guardduty-s3-anonymous-access-personal.json');
    const inc = JSON.parse((await cordon(['plan', '--json', '--aware-at', '2026-03-28T12:00:00Z', file])).stdout).incidents[0];
    expect(inc.playbook).toBe('aws-s3-data-exposure');
    // High severity and a public bucket of personal data: the Art. 34 communication task too.
    expect(inc.clocks).toEqual([
      { regime: 'gdpr-art33', deadline: '2026-03-31T12:00:00.000Z' },
      { regime: 'gdpr-art34', deadline: '2026-03-31T12:00:00.000Z' },
    ]);
    expect(inc.assessment).toMatchObject({ personalData: 'yes', status: 'notifiable' });
    expect(inc.assessment.basis).toContain('tag data-classification=personal on arn:aws:s3:::customer-exports-eu');
  });

  it('a compromised host with a personal-data tag: the GDPR clock; in processor mode the notify-the-controller clock instead', async () => {
    const file = join(FIXTURES, 'clocks/guardduty-trojan-ec2-personal-data.json');
    const inc = JSON.parse((await cordon(['plan', '--json', '--aware-at', '2026-03-28T12:00:00Z', file])).stdout).incidents[0];
    expect(inc.playbook).toBe('aws-ec2-compromise');
    expect(inc.clocks).toEqual([{ regime: 'gdpr-art33', deadline: '2026-03-31T12:00:00.000Z' }]);
    expect(inc.assessment).toMatchObject({ personalData: 'yes', status: 'notifiable' });
    const processor = await cordon(['plan', '--json', '--aware-at', '2026-03-28T12:00:00Z', file], { env: { CORDON_GDPR_ROLE: 'processor', CORDON_GDPR_PROCESSOR_HOURS: '12' } });
    expect(JSON.parse(processor.stdout).incidents[0].clocks).toEqual([{ regime: 'gdpr-art33-processor', deadline: '2026-03-29T00:00:00.000Z' }]);
    // The twin: the same host without the tag is a compromise with no personal data shown, so no GDPR clock.
    const untagged = JSON.parse((await cordon(['plan', '--json', '--mode', 'tabletop', join(PUBLIC_FIXTURES, 'guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json')])).stdout).incidents[0];
    expect(untagged.clocks).toEqual([]);
  });

  it('NIS2 clocks follow significant incidents, by a configurable rule', async () => {
    const host = join(FIXTURES, 'clocks/guardduty-trojan-ec2-personal-data.json');
    const posture = join(FIXTURES, 'clocks/securityhub-s3.8-unclassified.json');
    const doc = JSON.parse((await cordon(['plan', '--json', '--aware-at', '2026-03-28T12:00:00Z', host, posture], { env: { CORDON_NIS2: 'true' } })).stdout);
    expect(doc.incidents.map((i: { clocks: { regime: string }[] }) => i.clocks.map((c) => c.regime))).toEqual([
      ['gdpr-art33', 'nis2-early-warning', 'nis2-notification', 'nis2-final'],
      [],
    ]);
    const exposureOnly = JSON.parse((await cordon(['plan', '--json', host], { env: { CORDON_NIS2: 'true', CORDON_NIS2_SIGNIFICANT: 'exposure' } })).stdout);
    expect(exposureOnly.incidents[0].clocks.map((c: { regime: string }) => c.regime)).toEqual(['gdpr-art33']);
    const bad = await cordon(['plan', '--json', host], { env: { CORDON_NIS2_SIGNIFICANT: 'everything' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CORDON_NIS2_SIGNIFICANT/);
  });

  it('prints a readable table by default, with the breach assessment', async () => {
    const r = await cordon(['plan', join(PUBLIC_FIXTURES, 'securityhub/asr-simdata-afsbp-s3.8.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('aws-s3-data-exposure');
    expect(r.stdout).toMatch(/contain\s+block-s3-public-access\s+arn:aws:s3:::example/);
    expect(r.stdout).toMatch(/breach\s+assessing, personal data unknown/);
  });
});

describe('cordon plan: bad input', () => {
  const cases: [string, string, RegExp][] = [
    ['empty file', join(FIXTURES, 'bad/empty.json'), /empty\.json: empty file/],
    ['unparseable JSON', join(FIXTURES, 'bad/invalid-json.json'), /invalid-json\.json: .*(JSON|line)/i],
    ['unknown source', join(FIXTURES, 'bad/unknown-shape.json'), /unknown-shape\.json: unrecognized event/],
    ['missing required field', join(FIXTURES, 'bad/missing-detail-id.eventbridge.json'), /missing-detail-id\.eventbridge\.json: detail\.id/],
    ['missing file', join(FIXTURES, 'bad/no-such-file.json'), /no-such-file\.json: no such file/],
  ];
  it.each(cases)('%s: exit 2, one line on stderr naming the file and the field; --json prints the document with it rejected', async (_name, file, message) => {
    const r = await cordon(['plan', '--json', file]);
    expect(r.code).toBe(2);
    // DESIGN §3: `plan --json` prints one JSON document, also when every input is rejected.
    const doc = JSON.parse(r.stdout) as { incidents: unknown[]; rejected: { file: string; reason: string }[] };
    expect(doc.incidents).toEqual([]);
    expect(doc.rejected).toHaveLength(1);
    expect(`${doc.rejected[0]?.file}: ${doc.rejected[0]?.reason}`).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an event over 256 KB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-big-'));
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify({ 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', detail: { padding: 'x'.repeat(300 * 1024) } }));
    const r = await cordon(['plan', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/big\.json: .*256 KB/);
  });

  it('with several files, plans the good ones and lists the bad ones under rejected (exit 2)', async () => {
    const good = join(PUBLIC_FIXTURES, 'securityhub/asr-simdata-afsbp-s3.8.json');
    const r = await cordon(['plan', '--json', good, join(FIXTURES, 'bad/empty.json')]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.incidents).toHaveLength(1);
    expect(doc.rejected).toEqual([{ file: join(FIXTURES, 'bad/empty.json'), reason: 'empty file' }]);
  });

  it('usage errors exit 2 with a hint', async () => {
    expect((await cordon(['plan'])).code).toBe(2);
    const r = await cordon(['plan', '--bogus', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bogus/);
    expect((await cordon(['frobnicate'])).stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

describe('plan: one incident per breach', () => {
  it('a GuardDuty finding and its Security Hub copy, planned together, give one incident', async () => {
    const gd = join(FIXTURES, 'guardduty/derived-SSHBruteForce.bare.json');
    const sh = join(FIXTURES, 'securityhub/guardduty-relayed-SSHBruteForce.asff.json');
    const r = await cordon(['plan', '--json', gd, sh]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { incidents: { id: string; playbook: string; finding: { source: string } }[] };
    expect(doc.incidents).toHaveLength(1);
    expect(doc.incidents[0]).toMatchObject({ playbook: 'aws-ec2-compromise', finding: { source: 'securityhub' } });
  });
});
