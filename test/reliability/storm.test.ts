import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { planSettings } from '../../functions/core/plan/plan.js';
import { finding, instance } from '../support/findings.js';
import type { InputFile } from '../../functions/engine/inputs.js';
import { planBatch } from '../../functions/engine/planning.js';
import { verifyAuditLog } from '../../functions/records/audit-log.js';
import { startSimulatedEstate } from '../../functions/sim/estate.js';
import { NOW, ROUTER, SCENARIOS, freshHome, plannedFinding, removeHomes, runEngine } from './engine-harness.js';
import { PUBLIC_FIXTURES } from '../support/public-fixtures.js';

/** Issue 7 items 2 and 4: duplicates, storms, and the blast-radius caps under them. */
afterAll(removeHomes);

// The project's copies of the public samples (test/fixtures/public; sources in its SOURCES.md).
const PUBLIC = PUBLIC_FIXTURES;
/** Real public samples (SOURCES.md there): a bare GuardDuty finding and a Security Hub ASFF EC2.8 finding. */
interface GuardDutyDoc {
  id: string;
  arn: string;
  accountId: string;
  updatedAt: string;
  service: { count: number; additionalInfo: Record<string, unknown> };
  resource: { instanceDetails: { instanceId: string } };
}
interface AsffDoc {
  Id: string;
  AwsAccountId: string;
  UpdatedAt: string;
  Resources: Record<string, unknown>[];
}
const GUARDDUTY = JSON.parse(readFileSync(`${PUBLIC}/guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json`, 'utf8')) as GuardDutyDoc;
const ASFF = JSON.parse(readFileSync(`${PUBLIC}/securityhub/asr-simdata-afsbp-ec2.8.json`, 'utf8')) as AsffDoc;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * 10,000 deliveries on 100 resources: 50 GuardDuty findings each updated 100 times (same id, rising
 * service.count and updatedAt, as GuardDuty re-publishes an ongoing finding) and 50 Security Hub findings
 * each re-imported 100 times (same Id, new UpdatedAt), one resource each, in 200 array files.
 */
function storm(account = '111122223333'): InputFile[] {
  const files: InputFile[] = [];
  for (let round = 0; round < 100; round++) {
    const at = new Date(Date.parse('2026-03-28T00:00:00.000Z') + round * 60_000).toISOString();
    const gd = Array.from({ length: 50 }, (_, r) => {
      const f = structuredClone(GUARDDUTY);
      f.id = `storm${hex(r, 27)}`;
      f.arn = `arn:aws:guardduty:eu-west-1:${account}:detector/d/finding/${f.id}`;
      f.accountId = account;
      f.updatedAt = at;
      f.service.count = round + 1;
      f.service.additionalInfo = { sample: false };
      f.resource.instanceDetails.instanceId = `i-${hex(r, 17)}`;
      return f;
    });
    const sh = Array.from({ length: 50 }, (_, r) => {
      const f = structuredClone(ASFF);
      f.Id = `${ASFF.Id}-${r}`;
      f.AwsAccountId = account;
      f.UpdatedAt = at;
      f.Resources = [{ ...ASFF.Resources[0], Id: `arn:aws:ec2:us-east-1:${account}:instance/i-${hex(1000 + r, 17)}` }];
      return f;
    });
    files.push({ origin: `guardduty-${round}.json`, text: JSON.stringify(gd) }, { origin: `securityhub-${round}.json`, text: JSON.stringify(sh) });
  }
  return files;
}

describe('a finding storm', () => {
  it('10,000 deliveries on 100 resources plan as 100 incidents, memory bounded', () => {
    const inputs = storm();
    const rssBefore = process.memoryUsage().rss;
    const batch = planBatch(inputs, ROUTER, planSettings({ now: NOW, mode: 'automatic', maxActionsPerAccountPerHour: 100_000 }));
    const growthMb = (process.memoryUsage().rss - rssBefore) / 1048576;
    expect(batch.rejected).toEqual([]);
    expect(batch.planned).toHaveLength(100);
    expect(batch.planned.reduce((n, p) => n + p.deliveries, 0)).toBe(10_000);
    expect(new Set(batch.planned.map((p) => p.incident.finding.resources[0]?.id)).size).toBe(100);
    // Loose bound only (the bench measures it): the storm never holds more than a small multiple of its input.
    expect(growthMb).toBeLessThan(256);
  });

  it('holds the per-account hourly cap across the whole batch: only the first 50 acting steps are planned', () => {
    const batch = planBatch(storm(), ROUTER, planSettings({ now: NOW, mode: 'automatic', maxActionsPerAccountPerHour: 50 }));
    const acting = batch.planned.flatMap((p) => p.incident.steps).filter((s) => s.target.type !== 'incident' && s.target.type !== 'finding');
    const rated = batch.planned.flatMap((p) => p.incident.skipped).filter((s) => s.reason === 'blast-radius-account-rate');
    expect(acting).toHaveLength(50);
    expect(rated.length).toBeGreaterThan(0);
    // Actions already taken this hour (from the case store) count too.
    const later = planBatch(storm(), ROUTER, planSettings({ now: NOW, mode: 'automatic', maxActionsPerAccountPerHour: 50, actionsThisHour: { '111122223333': 45 } }));
    expect(later.planned.flatMap((p) => p.incident.steps).filter((s) => s.target.type !== 'incident' && s.target.type !== 'finding')).toHaveLength(5);
  });

  it('caps targets per incident', () => {
    const many = finding({ id: 'wide', resources: Array.from({ length: 15 }, (_, i) => instance(`i-${hex(i, 17)}`)) });
    const p = plannedFinding(many, { mode: 'automatic', maxTargetsPerIncident: 10 });
    expect(new Set(p.incident.steps.map((s) => s.target.id)).size).toBe(10);
    // 5 instances over the cap, for each of the playbook's 4 instance actions.
    expect(p.incident.skipped.filter((s) => s.reason === 'blast-radius-targets').map((s) => s.target.id)).toHaveLength(5 * 4);
  });
});

describe('safety tags and samples, end to end', () => {
  it('never acts on a sample finding in automatic mode', () => {
    const batch = planBatch([{ origin: 'sample.json', text: readFileSync(`${PUBLIC}/guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json`, 'utf8') }], ROUTER, planSettings({ now: NOW, mode: 'automatic' }));
    expect(batch.planned[0]?.incident.steps).toEqual([]);
    expect(batch.planned[0]?.incident.skipped.map((s) => s.reason)).toEqual(Array(4).fill('sample-finding'));
  });

  it('leaves an exempt resource alone and waits for approval where the tag asks, through the engine', async () => {
    const exempt = finding({ id: 'exempt-1', resources: [instance('i-0e0e0e0e0e0e0e0e0', { 'cordon:exempt': 'true' })] });
    const gated = finding({ id: 'gated-1', resources: [instance('i-0a0a0a0a0a0a0a0a0', { 'Cordon:Approval': 'required' })] });
    const estate = await startSimulatedEstate({ findings: [exempt, gated] });
    try {
      const run = await runEngine([plannedFinding(exempt), plannedFinding(gated)], { estate });
      const [e, g] = run.reports;
      expect(e?.steps.map((s) => [s.action, s.status, s.reason?.split(':')[0]])).toEqual(
        ['detach-from-autoscaling', 'quarantine-instance', 'revoke-instance-credentials', 'snapshot-volumes'].map((a) => [a, 'skipped', 'exempt']),
      );
      expect(estate.server.calls.filter((c) => c.step.includes('i-0e0e0e0e0e0e0e0e0'))).toEqual([]);
      // Containment waits for the person; preservation never waits (DESIGN.md §4).
      expect(g?.incident.steps.map((s) => [s.action, s.phase, s.approval])).toEqual([
        ['detach-from-autoscaling', 'contain', true],
        ['quarantine-instance', 'contain', true],
        ['revoke-instance-credentials', 'contain', true],
        ['snapshot-volumes', 'preserve', false],
      ]);
      expect(g?.status).toBe('contained');
      await run.records.close();
    } finally {
      await estate.close();
    }
  });
});

describe('the same finding delivered three times at once', () => {
  it('three concurrent engines on one case store apply one set of effects', async () => {
    const f = SCENARIOS.ec2;
    const estate = await startSimulatedEstate({ findings: [f] });
    try {
      const home = freshHome();
      // Three handles on one Cordon home, as three processes would have.
      const runs = await Promise.all([1, 2, 3].map(() => runEngine([plannedFinding(f)], { estate, home })));
      const served = (op: string) => estate.server.calls.filter((c) => c.operation === op && c.status < 300).length;
      expect(served('ec2:CreateSecurityGroup')).toBe(2);
      expect(served('ec2:ModifyInstanceAttribute')).toBe(2);
      expect(served('ec2:CreateSnapshots')).toBe(1);
      expect(served('securityhub:BatchUpdateFindings')).toBe(1);
      const reports = runs.map((r) => r.reports[0]);
      expect(new Set(reports.map((r) => r?.incident.id)).size).toBe(1);
      for (const r of reports) expect(r?.steps.some((s) => s.status === 'failed')).toBe(false);
      const store = runs[0]!.records.store;
      expect((await store.listSteps(reports[0]!.incident.id)).map((s) => [s.stepId.split(':')[0], s.status, s.attempts])).toEqual(
        expect.arrayContaining([
          ['quarantine-instance', 'succeeded', 1],
          ['snapshot-volumes', 'succeeded', 1],
          ['update-finding', 'succeeded', 1],
        ]),
      );
      const ingests = runs[0]!.audit().filter((r) => r.event === 'ingest').map((r) => (r.data as { redelivery: boolean }).redelivery);
      expect(ingests.sort()).toEqual([false, true, true]);
      expect(verifyAuditLog(runs[0]!.records.audit.path)).toMatchObject({ ok: true });
      for (const r of runs) await r.records.close();
    } finally {
      await estate.close();
    }
  });
});
