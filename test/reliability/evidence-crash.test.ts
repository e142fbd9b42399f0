import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../functions/records/audit-log.js';
import { EvidenceStore, manifestDigest } from '../../functions/records/evidence.js';
import { startSimulatedEstate, type SimulatedEstate } from '../../functions/sim/estate.js';
import { SCENARIOS, freshHome, plannedFinding, readAudit, removeHomes, runEngine, stepOf } from './engine-harness.js';
import { killChildEngineWhen, served } from './crash-harness.js';

/**
 * Issue 13 item 4, "evidence that survives": a child process runs the engine against an estate this
 * process owns and is SIGKILLed right after its CreateSnapshots call; the engine then runs again on
 * the same Cordon home. The rerun's evidence manifest lists every snapshot with its lock, and no
 * volume is snapshotted twice.
 */
const finding = SCENARIOS.ec2;

afterAll(removeHomes);

const killWhen = (home: string, estate: SimulatedEstate, condition: () => boolean) => killChildEngineWhen(home, estate, condition, "the child's snapshot call");
const snapshotsOf = (estate: SimulatedEstate) => Object.values(estate.aws.snapshots);

/** A slow lock check holds the child right after CreateSnapshots, so the kill lands between the snapshot and its lock. */
const slowLockCheck = [{ operation: 'ec2:DescribeLockedSnapshots', kind: 'latency' as const, latencyMs: 5_000, times: 1 }];

async function rerunAndCheck(home: string, estate: SimulatedEstate): Promise<void> {
  const run = await runEngine([plannedFinding(finding)], { estate, home });
  const report = run.reports[0];
  if (!report) throw new Error('no report');
  expect(stepOf(report, 'snapshot-volumes').status).toBe('succeeded');
  const manifest = run.records.evidence.read(report.incident.id);
  const ids = snapshotsOf(estate).map((s) => s.id).sort();
  // Every snapshot in the estate is in the manifest, with its lock; the estate agrees the lock is there.
  expect(manifest?.snapshots.map((s) => [s.id, s.lock?.kind]).sort()).toEqual(ids.map((id) => [id, 'ebs-snapshot-lock']));
  expect(snapshotsOf(estate).every((s) => s.lock?.mode === 'governance')).toBe(true);
  expect(report.evidence?.filter((e) => e.kind === 'ebs-snapshot').every((e) => e.lock !== undefined)).toBe(true);
  // One set of snapshots: the rerun took none again.
  expect(served(estate, 'ec2:CreateSnapshots')).toBe(1);
  expect(ids).toHaveLength(estate.aws.instances[Object.keys(estate.aws.instances)[0]!]!.volumes.length);
  // The manifest as it ended is the one the audit chain hashed last, and the chain verifies.
  const digests = readAudit(run.records.audit.path).filter((r) => r.event === 'evidence.manifest');
  expect((digests.at(-1)?.data as { sha256?: string }).sha256).toBe(manifestDigest(manifest!));
  expect(verifyAuditLog(run.records.audit.path)).toMatchObject({ ok: true });
  await run.records.close();
}

describe('a process killed right after its snapshot call', () => {
  it('had already recorded the snapshot ids; the rerun lists every snapshot with its lock', { timeout: 120_000 }, async () => {
    const estate = await startSimulatedEstate({ findings: [finding], faults: slowLockCheck });
    try {
      const home = freshHome();
      const evidence = new EvidenceStore(home);
      const incidentId = plannedFinding(finding).incident.id;
      const signal = await killWhen(home, estate, () => served(estate, 'ec2:CreateSnapshots') === 1 && (evidence.read(incidentId)?.snapshots.length ?? 0) > 0);
      expect(signal).toBe('SIGKILL');
      // Killed before any lock: the ids were on the record before CreateSnapshots' caller moved on.
      expect(snapshotsOf(estate).every((s) => s.lock === undefined)).toBe(true);
      expect(evidence.read(incidentId)?.snapshots.map((s) => s.id).sort()).toEqual(snapshotsOf(estate).map((s) => s.id).sort());

      await rerunAndCheck(home, estate);
    } finally {
      await estate.close();
    }
  });

  it('even with nothing recorded (killed before the ids reached the record), the rerun recovers them by the incident tag', { timeout: 120_000 }, async () => {
    const estate = await startSimulatedEstate({ findings: [finding], faults: slowLockCheck });
    try {
      const home = freshHome();
      const incidentId = plannedFinding(finding).incident.id;
      const signal = await killWhen(home, estate, () => served(estate, 'ec2:CreateSnapshots') === 1);
      expect(signal).toBe('SIGKILL');
      // As if the process had died before it could record anything.
      rmSync(new EvidenceStore(home).pathOf(incidentId), { force: true });
      expect(snapshotsOf(estate).length).toBeGreaterThan(0);

      await rerunAndCheck(home, estate);
    } finally {
      await estate.close();
    }
  });
});
