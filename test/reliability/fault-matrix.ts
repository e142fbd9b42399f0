import { afterAll, describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../functions/core/actions/types.js';
import type { ActionName } from '../../functions/core/model.js';
import type { IncidentReport } from '../../functions/engine/responder.js';
import { verifyAuditLog } from '../../functions/records/audit-log.js';
import type { FaultRule } from '../../functions/sim/faults.js';
import { mutatingCall } from '../support/actions/mutating-call.js';
import { ACTION_CASES, SCENARIOS, plannedFinding, removeHomes, runEngine, stepOf, type EngineRun } from './engine-harness.js';

/**
 * Issue 7 item 1, through the whole engine: for every cloud action, each fault on the call that
 * changes something, then what the records say. Timeouts use a short SDK request timeout and an
 * estate slower than it; the estate still applies the late call, as a real cloud may.
 */
const REQUEST_TIMEOUT_MS = 120;
const SLOW_MS = 400;

async function runCase(action: ActionName, faults: FaultRule[], options: { seed?: boolean; requestTimeoutMs?: number } = {}) {
  const c = ACTION_CASES.find((x) => x.action === action);
  if (!c) throw new Error(`no case for ${action}`);
  const run = await runEngine([plannedFinding(SCENARIOS[c.scenario])], { faults, ...options });
  await run.estate.close();
  const report = run.reports[0] as IncidentReport;
  return { run, report, step: stepOf(report, action), mutating: mutatingCall(action) };
}

/** What every failure must leave behind: a failed step record, an escalated incident, an audit trail. */
async function expectRecordedFailure(run: EngineRun, report: IncidentReport, action: ActionName, errorClass: ErrorClass) {
  const step = stepOf(report, action);
  expect(step).toMatchObject({ status: 'failed', errorClass });
  expect(step.reason).toBeTruthy();
  // The other branches completed.
  for (const other of report.steps.filter((s) => s.stepId !== step.stepId)) expect([other.action, other.status]).not.toEqual([other.action, 'failed']);
  // A failed contain step is never contained (DESIGN §3); a failed preserve or notify step leaves the verdict to the footholds.
  expect(report.escalated).toBe(true);
  if (step.phase === 'contain') expect(report.status).not.toBe('contained');
  expect((await run.records.store.getIncident(report.incident.id))?.status).toBe('escalated');
  const stored = await run.records.store.listSteps(report.incident.id);
  expect(stored.find((s) => s.stepId === step.stepId)).toMatchObject({ status: 'failed', errorClass });
  expect(stored.filter((s) => s.status === 'running')).toEqual([]);
  const audit = run.audit();
  expect(audit.filter((r) => r.event === 'step.end' && (r.data as { step: string }).step === step.stepId).map((r) => r.data)).toContainEqual(
    expect.objectContaining({ status: 'failed', errorClass }),
  );
  expect(audit.filter((r) => r.event === 'incident.status').map((r) => (r.data as { status: string }).status)).toContain('escalated');
  expect(verifyAuditLog(run.records.audit.path)).toMatchObject({ ok: true });
  await run.records.close();
}

export function faultMatrix(actions: readonly ActionName[]): void {
  afterAll(removeHomes);

  describe.each(actions.map((a) => [a]))('%s under faults, through the engine', (action) => {
    it('throttled 4× then served: succeeds after the workflow retries, incident contained', async () => {
      const { run, report, step, mutating } = await runCase(action, []);
      // Count the served calls of a clean run, then throttle that operation 4× on a fresh estate.
      expect(step.status).toBe('succeeded');
      await run.records.close();
      const faulted = await runCase(action, [{ operation: mutating, kind: 'throttle', times: 4 }]);
      expect(faulted.step).toMatchObject({ status: 'succeeded' });
      expect(faulted.step.attempts).toBeGreaterThan(1);
      expect(faulted.report.status).toBe('contained');
      expect(faulted.run.estate.server.calls.filter((c) => c.operation === mutating && c.fault === 'throttle')).toHaveLength(4);
      // One effect: the mutating call was served as often as in the clean run.
      expect(faulted.run.served(mutating)).toBe(run.served(mutating));
      expect(report.status).toBe('contained');
      await faulted.run.records.close();
    });

    it('permanent HTTP 500: failed/Transient after the retries, the rest completes, escalated and audited', async () => {
      const mutating = mutatingCall(action);
      const { run, report, step } = await runCase(action, [{ operation: mutating, kind: 'error' }]);
      expect(step.attempts).toBe(4); // the first try and the transient retrier's 3
      await expectRecordedFailure(run, report, action, 'Transient');
    });

    it('access denied: failed/AccessDenied at once (no retry), escalated and audited', async () => {
      const mutating = mutatingCall(action);
      const { run, report, step } = await runCase(action, [{ operation: mutating, kind: 'accessDenied' }]);
      expect(step.attempts).toBe(1);
      expect(run.estate.server.calls.filter((c) => c.operation === mutating).map((c) => c.status)).toEqual([403]);
      await expectRecordedFailure(run, report, action, 'AccessDenied');
    });

    it('target missing: failed/NotFound, escalated and audited', async () => {
      const { run, report, step } = await runCase(action, [], { seed: false });
      expect(step.attempts).toBe(1);
      expect(report.escalated).toBe(true);
      expect(step).toMatchObject({ status: 'failed', errorClass: 'NotFound' });
      const stored = await run.records.store.getStep(report.incident.id, step.stepId);
      expect(stored).toMatchObject({ status: 'failed', errorClass: 'NotFound' });
      expect(verifyAuditLog(run.records.audit.path)).toMatchObject({ ok: true });
      await run.records.close();
    });

    it('estate slower than the request timeout: failed/Timeout after the retries, or done when a late call landed — never half-recorded', async () => {
      const mutating = mutatingCall(action);
      const { run, report, step } = await runCase(action, [{ operation: mutating, kind: 'latency', latencyMs: SLOW_MS }], { requestTimeoutMs: REQUEST_TIMEOUT_MS });
      const stored = await run.records.store.getStep(report.incident.id, step.stepId);
      if (step.status === 'failed') {
        expect(step.errorClass).toBe('Timeout');
        await expectRecordedFailure(run, report, action, 'Timeout');
      } else {
        // A timed-out call the estate applied anyway: the retry read the state back and found the effect in place.
        expect(step.attempts).toBeGreaterThan(1);
        expect(stored?.status).toBe(step.status);
        expect(step.status === 'succeeded' || step.reason === 'already-done').toBe(true);
        await run.records.close();
      }
    });
  });
}
