import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../functions/records/audit-log.js';
import { startSimulatedEstate, type SimulatedEstate } from '../../functions/sim/estate.js';
import { SCENARIOS, freshHome, plannedFinding, removeHomes, runEngine, stepOf } from './engine-harness.js';
import { killChildEngineWhen, served } from './crash-harness.js';

/**
 * Issue 7 item 1, process crash: a child process runs the engine against an estate this process
 * owns and is SIGKILLed right after its first effect lands; the engine then runs again on the same
 * Cordon home. The incident completes, and no effect is applied twice (the estate's call log counts).
 */

afterAll(removeHomes);

const killAfter = (home: string, estate: SimulatedEstate, condition: () => boolean) => killChildEngineWhen(home, estate, condition, "the child's first effect");

describe('a process killed mid-workflow', () => {
  it('resumes on the next run: the abandoned step is taken over, nothing is applied twice', { timeout: 120_000 }, async () => {
    const finding = SCENARIOS.ec2;
    // CreateTags (quarantine's last call) is slow the first time, so the kill lands inside the quarantine step.
    const estate = await startSimulatedEstate({ findings: [finding], faults: [{ operation: 'ec2:CreateTags', kind: 'latency', latencyMs: 1_500, times: 1 }] });
    try {
      const home = freshHome();
      const signal = await killAfter(home, estate, () => served(estate, 'ec2:ModifyInstanceAttribute') >= 2);
      expect(signal).toBe('SIGKILL');

      const run = await runEngine([plannedFinding(finding)], { estate, home });
      const report = run.reports[0];
      if (!report) throw new Error('no report');
      expect(report.status).toBe('contained');
      const quarantine = stepOf(report, 'quarantine-instance');
      expect(['succeeded', 'skipped']).toContain(quarantine.status);
      const stored = await run.records.store.getStep(report.incident.id, quarantine.stepId);
      // The dead process's claim was taken over, and that is on the record.
      expect(stored).toMatchObject({ attempts: 2, takenOverFrom: expect.stringMatching(/^cordon\/tabletop\/\d+@/) });
      expect(run.audit().some((r) => r.event === 'step.start' && (r.data as { takeover?: unknown }).takeover !== undefined)).toBe(true);
      expect((await run.records.store.listSteps(report.incident.id)).filter((s) => s.status === 'running')).toEqual([]);

      // The isolation and untrack groups, termination protection + DeleteOnTermination off, one set of snapshots, one finding update.
      expect(served(estate, 'ec2:CreateSecurityGroup')).toBe(2);
      expect(served(estate, 'ec2:ModifyInstanceAttribute')).toBe(2);
      expect(served(estate, 'ec2:CreateSnapshots')).toBe(1);
      expect(served(estate, 'securityhub:BatchUpdateFindings')).toBe(1);
      expect(verifyAuditLog(run.records.audit.path)).toMatchObject({ ok: true });
      await run.records.close();
    } finally {
      await estate.close();
    }
  });

  it('an isolation group created but never attached is found and attached by the next run', { timeout: 120_000 }, async () => {
    const finding = SCENARIOS.ec2;
    // Every attempt of the first run fails on the attach, the first group swap (4 workflow attempts × 2 SDK attempts).
    const estate = await startSimulatedEstate({ findings: [finding], faults: [{ operation: 'ec2:ModifyNetworkInterfaceAttribute', kind: 'error', times: 8 }] });
    try {
      const home = freshHome();
      const first = await runEngine([plannedFinding(finding)], { estate, home });
      const failed = stepOf(first.reports[0]!, 'quarantine-instance');
      expect(failed).toMatchObject({ status: 'failed', errorClass: 'Transient' });
      expect(first.reports[0]).toMatchObject({ status: 'not-contained', escalated: true });
      // The isolation group and the allow-all (untrack) group the swap goes through.
      expect(served(estate, 'ec2:CreateSecurityGroup')).toBe(2);
      await first.records.close();

      // The redelivery: the failed step is claimed again and reuses the group left behind.
      const second = await runEngine([plannedFinding(finding)], { estate, home });
      expect(stepOf(second.reports[0]!, 'quarantine-instance').status).toBe('succeeded');
      expect(stepOf(second.reports[0]!, 'snapshot-volumes')).toMatchObject({ status: 'skipped', reason: 'already-done' });
      expect(served(estate, 'ec2:CreateSecurityGroup')).toBe(2);
      const isolation = Object.values(estate.aws.securityGroups).find((g) => g.name === 'cordon-isolation');
      const instance = Object.values(estate.aws.instances)[0];
      expect(instance?.networkInterfaces.map((n) => n.groups)).toEqual([[isolation?.id]]);
      expect(instance?.disableApiTermination).toBe(true);
      await second.records.close();
    } finally {
      await estate.close();
    }
  });
});
