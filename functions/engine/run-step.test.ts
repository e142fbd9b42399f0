import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionResult } from '../core/actions/types.js';
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
