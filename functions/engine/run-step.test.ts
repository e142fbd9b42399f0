import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionResult, EvidenceItem } from '../core/actions/types.js';
import type { StepInput } from '../../workflows/input.js';
import { openLocalRecords, type LocalRecords } from './runtime.js';
import { runStep, type LiveSafetyCheck, type RunStepDeps } from './run-step.js';

/**
 * The live-safety-check hook of the one step engine: a check runs after the claim and before the
 * act; a refusal is recorded as the step's result and nothing acts. Its twin (no check) acts.
 */
const INPUT: StepInput = {
  incidentId: 'inc-0123456789abcdef',
  stepId: 'quarantine-instance:i-0abc',
  action: 'quarantine-instance',
  target: { type: 'ec2-instance', id: 'i-0abc' },
  account: '111111111111',
  region: 'us-east-1',
  mode: 'automatic',
  finding: { id: 'f-1', source: 'guardduty' },
  params: {},
  approval: false,
};

let records: LocalRecords | undefined;
afterEach(async () => {
  await records?.close();
  records = undefined;
});

function wired(checks?: readonly LiveSafetyCheck[]): { deps: RunStepDeps; acted: StepInput[]; audit: () => { event: string; data: Record<string, unknown> }[] } {
  records = openLocalRecords(mkdtempSync(join(tmpdir(), 'cordon-run-step-')));
  const home = records.home;
  const acted: StepInput[] = [];
  const executeAction = async (input: StepInput): Promise<ActionResult> => {
    acted.push(input);
    return { status: 'succeeded', before: { groups: ['sg-1'] }, after: { groups: ['sg-q'] }, evidence: [], summary: 'quarantined' };
  };
  const audit = () =>
    readFileSync(join(home, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; data: Record<string, unknown> });
  return { deps: { store: records.store, audit: records.audit, evidence: records.evidence, executeAction, now: () => new Date(), ...(checks ? { checks } : {}) }, acted, audit };
}

describe('runStep live safety checks', () => {
  it('records a refusal as the step result, audited, and does not act', async () => {
    const refuse: LiveSafetyCheck = async (input) => (input.target.id === 'i-0abc' ? { status: 'skipped', reason: 'protected', summary: 'i-0abc is tagged protected' } : undefined);
    const { deps, acted, audit } = wired([async () => undefined, refuse]);
    const result = await runStep(INPUT, deps);
    expect(result).toEqual({ status: 'skipped', reason: 'protected', summary: 'i-0abc is tagged protected' });
    expect(acted).toEqual([]);
    expect(await deps.store.getStep(INPUT.incidentId, INPUT.stepId)).toMatchObject({ status: 'skipped', reason: 'protected' });
    expect(audit().map((r) => [r.event, r.data.reason])).toEqual([
      ['step.start', undefined],
      ['step.end', 'protected'],
    ]);
  });

  it('without a refusing check the step acts (the twin)', async () => {
    const { deps, acted, audit } = wired([async () => undefined]);
    expect(await runStep(INPUT, deps)).toMatchObject({ status: 'succeeded' });
    expect(acted).toHaveLength(1);
    expect(audit().map((r) => [r.event, r.data.status])).toEqual([
      ['step.start', undefined],
      ['step.end', 'succeeded'],
    ]);
  });
});

describe('runStep evidence: recorded as the cloud makes it, the manifest hashed into the chain', () => {
  const SNAP: EvidenceItem = { kind: 'ebs-snapshot', id: 'snap-0000000000000001a', of: 'vol-1', takenAt: '2026-01-01T00:00:00.000Z', tags: {} };
  const LOCK: EvidenceItem['lock'] = { kind: 'ebs-snapshot-lock', mode: 'governance', expiresOn: '2026-02-01T00:00:00.000Z' };
  const input: StepInput = { ...INPUT, stepId: 'snapshot-volumes:i-0abc', action: 'snapshot-volumes' };

  function dying(): { deps: RunStepDeps; audit: () => { event: string; data: Record<string, unknown> }[] } {
    const { deps, audit } = wired();
    // The process "dies" right after the cloud call: the action never returns.
    deps.executeAction = async (_input, sink) => {
      await sink.record([SNAP]);
      return new Promise<ActionResult>(() => {});
    };
    return { deps, audit };
  }

  it('a step that never returns has still put its snapshot ids in the audit log and the manifest', async () => {
    const { deps, audit } = dying();
    void runStep(input, deps);
    await until(() => deps.evidence.read(input.incidentId) !== undefined);
    expect(deps.evidence.read(input.incidentId)?.snapshots.map((s) => s.id)).toEqual([SNAP.id]);
    await until(() => audit().some((r) => r.event === 'evidence.manifest'));
    expect(audit().map((r) => r.event)).toEqual(['step.start', 'evidence.recorded', 'evidence.manifest']);
    expect(audit()[2]?.data).toMatchObject({ sha256: deps.evidence.digest(input.incidentId), snapshots: 1 });
  });

  it('the twin: an action with nothing recorded before it returns leaves nothing behind when it dies', async () => {
    const { deps } = wired();
    deps.executeAction = () => new Promise<ActionResult>(() => {});
    void runStep(input, deps);
    await new Promise((r) => setTimeout(r, 50));
    expect(deps.evidence.read(input.incidentId)).toBeUndefined();
  });

  it('an already-done step still files the evidence it found (with its lock), and the manifest digest follows each change', async () => {
    const { deps, audit } = wired();
    deps.executeAction = async () => ({ status: 'skipped', reason: 'already-done', summary: 'found by tag', evidence: [{ ...SNAP, lock: LOCK }] });
    const result = await runStep(input, deps);
    expect(result).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(deps.evidence.read(input.incidentId)?.snapshots).toEqual([{ ...SNAP, lock: LOCK }]);
    const digests = audit().filter((r) => r.event === 'evidence.manifest');
    expect(digests.at(-1)?.data.sha256).toBe(deps.evidence.digest(input.incidentId));
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition never held');
}
