import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvidenceItem } from '../core/actions/types.js';
import type { IngestedFinding } from '../core/model.js';
import { sampleIncident } from '../../test/support/records/case-store.contract.js';
import { cordonActor, EvidenceStore } from './evidence.js';
import { InvalidIncidentIdError } from './paths.js';

const dirs: string[] = [];
const freshHome = () => {
  const d = mkdtempSync(join(tmpdir(), 'cordon-evidence-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const INC = 'inc-0123456789abcdef';
const ingested: IngestedFinding = {
  finding: sampleIncident().finding,
  raw: { 'detail-type': 'GuardDuty Finding' },
  rawSha256: '3f'.repeat(32),
  origin: 'fixtures/guardduty-crypto.json',
};
const snapshot: EvidenceItem = {
  kind: 'ebs-snapshot',
  id: 'snap-0a1b2c3d4e5f60718',
  of: 'vol-0123456789abcdef0',
  takenAt: '2024-03-30T22:20:03.000Z',
  tags: { 'cordon:incident': INC, 'cordon:volume': 'vol-0123456789abcdef0' },
  details: { instance: 'i-0a1b2c3d4e5f60718', device: '/dev/xvda' },
};
const isolation: EvidenceItem = { kind: 'isolation', id: 'sg-0isolation', of: 'i-0a1b2c3d4e5f60718', takenAt: '2024-03-30T22:20:02.000Z', tags: {} };
const original: EvidenceItem = { kind: 'original-config', id: 'i-0a1b2c3d4e5f60718#groups', of: 'i-0a1b2c3d4e5f60718', takenAt: '2024-03-30T22:20:02.000Z', tags: {}, details: { groups: ['sg-0web'] } };

describe('evidence manifest', () => {
  it('records the finding as received, the evidence by section, and the chain of custody', async () => {
    const store = new EvidenceStore(freshHome());
    await store.recordFinding(INC, ingested, { receivedAt: '2024-03-30T22:20:00.000Z', actor: cordonActor('tabletop'), auditHash: 'a'.repeat(64) });
    await store.recordStep(INC, { stepId: 'quarantine-instance:i-1', actor: cordonActor('tabletop'), at: '2024-03-30T22:20:02.000Z', items: [isolation, original], auditHash: 'b'.repeat(64) });
    const manifest = await store.recordStep(INC, { stepId: 'snapshot-volumes:i-1', actor: cordonActor('tabletop'), at: '2024-03-30T22:20:03.000Z', items: [snapshot], auditHash: 'c'.repeat(64) });
    expect(manifest.finding).toEqual({ id: ingested.finding.id, source: 'guardduty', rawSha256: ingested.rawSha256, origin: ingested.origin, receivedAt: '2024-03-30T22:20:00.000Z' });
    expect(manifest.snapshots).toEqual([snapshot]);
    expect(manifest.isolation).toEqual([isolation]);
    expect(manifest.originalConfigurations).toEqual([original]);
    expect(manifest.custody.map((c) => [c.actor, c.action, c.auditHash[0]])).toEqual([
      ['cordon/tabletop', `received finding ${ingested.finding.id} from ${ingested.origin}`, 'a'],
      ['cordon/tabletop', 'quarantine-instance:i-1', 'b'],
      ['cordon/tabletop', 'snapshot-volumes:i-1', 'c'],
    ]);
    expect(store.read(INC)).toEqual(manifest);
  });

  it('keeps the first receipt and each item once when a finding is redelivered', async () => {
    const store = new EvidenceStore(freshHome());
    await store.recordFinding(INC, ingested, { receivedAt: '2024-03-30T22:20:00.000Z', actor: 'cordon/automatic', auditHash: 'a'.repeat(64) });
    await store.recordFinding(INC, { ...ingested, origin: 'eventbridge' }, { receivedAt: '2024-03-30T22:25:00.000Z', actor: 'cordon/automatic', auditHash: 'd'.repeat(64) });
    await store.recordStep(INC, { stepId: 's', actor: 'cordon/automatic', at: '2024-03-30T22:26:00.000Z', items: [snapshot], auditHash: 'e'.repeat(64) });
    const m = await store.recordStep(INC, { stepId: 's', actor: 'cordon/automatic', at: '2024-03-30T22:26:00.000Z', items: [snapshot], auditHash: 'e'.repeat(64) });
    expect(m.finding?.receivedAt).toBe('2024-03-30T22:20:00.000Z');
    expect(m.snapshots).toHaveLength(1);
    expect(m.custody).toHaveLength(3);
  });

  it('writes atomically, with no temp or lock file left, under concurrent updates', async () => {
    const home = freshHome();
    const store = new EvidenceStore(home);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.recordStep(INC, { stepId: `s${i}`, actor: 'cordon/tabletop', at: '2024-03-30T22:20:00.000Z', items: [{ ...snapshot, id: `snap-${i}` }], auditHash: String(i).padStart(64, '0') }),
      ),
    );
    expect(store.read(INC)?.snapshots).toHaveLength(20);
    expect(readdirSync(join(home, 'evidence'))).toEqual([`${INC}.json`]);
  });

  it('refuses ids that are not incident ids before touching the file system', async () => {
    const home = freshHome();
    const store = new EvidenceStore(home);
    for (const bad of ['../../etc/passwd', 'inc-0123456789ABCDEF', 'inc-0123456789abcdef/../x', 'inc-0123']) {
      expect(() => store.pathOf(bad)).toThrow(InvalidIncidentIdError);
      await expect(store.recordCustody(bad, { at: '', actor: '', action: '', items: [], auditHash: '' })).rejects.toThrow(InvalidIncidentIdError);
    }
    expect(existsSync(join(home, 'evidence'))).toBe(false);
  });
});
