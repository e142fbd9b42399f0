import { describe, expect, it } from 'vitest';
import type { ActionResult } from '../functions/core/actions/types.js';
import type { ActionName, Incident, Phase } from '../functions/core/model.js';
import { compilePlaybook } from './compile.js';
import { errorClassOf } from './errors.js';
import { actionKey, workflowInput } from './input.js';
import type { StepInput, WorkflowInput } from './input.js';
import { backoffMs, matchRetrier } from './retry.js';
import { retriers } from './compile.js';
import { runWorkflow } from './runner.js';
import type { ApprovalRequest, EscalationSummary, RunnerDeps, StepEvent } from './runner.js';
import { EC2_PLAYBOOK, VM_PLAYBOOK } from './test-playbooks.js';

const ec2 = compilePlaybook(EC2_PLAYBOOK);
const vm = compilePlaybook(VM_PLAYBOOK);

const ok = (summary = 'done'): ActionResult => ({ status: 'succeeded', before: { a: 1 }, after: { a: 2 }, evidence: [], summary });
const fail = (errorClass: 'Throttled' | 'NotFound' | 'Transient', message = `${errorClass} happened`): ActionResult => ({ status: 'failed', errorClass, message });

function step(action: ActionName, targetId: string, approval = false): StepInput {
  return {
    incidentId: 'inc-test',
    stepId: `${action}:${targetId}`,
    action,
    target: { type: action === 'update-finding' ? 'finding' : 'AwsEc2Instance', id: targetId },
    account: '123456789012',
    region: 'eu-west-1',
    mode: 'tabletop',
    finding: { id: 'finding-1', source: 'securityhub' },
    params: {},
    approval,
  };
}

function input(steps: { phase: Phase; step: StepInput }[]): WorkflowInput {
  const phases: WorkflowInput['phases'] = { contain: {}, preserve: {}, notify: {} };
  for (const { phase, step: s } of steps) (phases[phase][actionKey(s.action)] ??= []).push(s);
  return { incident: { id: 'inc-test', playbook: 'test-ec2', mode: 'tabletop', findingId: 'finding-1' }, phases };
}

const host = (id = 'i-1', approval = false) => [
  { phase: 'contain' as const, step: step('quarantine-instance', id, approval) },
  { phase: 'preserve' as const, step: step('snapshot-volumes', id, approval) },
  { phase: 'notify' as const, step: step('update-finding', 'finding-1') },
];

/** A fake action runner: a script of results per step id (the last one repeats), and a call log. */
function fakeRunner(script: Record<string, ActionResult[]> = {}) {
  const calls: string[] = [];
  const runAction = async (s: StepInput): Promise<ActionResult> => {
    calls.push(s.stepId);
    const queue = script[s.stepId];
    if (!queue || queue.length === 0) return ok(s.stepId);
    return (queue.length > 1 ? queue.shift() : queue[0]) as ActionResult;
  };
  return { calls, runAction };
}

function deps(extra: Partial<RunnerDeps> & Pick<RunnerDeps, 'runAction'>): RunnerDeps & { events: StepEvent[]; escalations: EscalationSummary[] } {
  const events: StepEvent[] = [];
  const escalations: EscalationSummary[] = [];
  return {
    retryScale: 0,
    onStepEvent: (e) => events.push(e),
    escalate: async (s) => {
      escalations.push(s);
    },
    ...extra,
    events,
    escalations,
  };
}

describe('runWorkflow', () => {
  it('runs every step and reports each one with its result when all succeed', async () => {
    const runner = fakeRunner();
    const d = deps({ runAction: runner.runAction });
    const outcome = await runWorkflow(ec2, input(host()), d);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.escalated).toBe(false);
    expect(d.escalations).toEqual([]);
    expect(outcome.steps.map((s) => [s.stepId, s.phase, s.status, s.attempts])).toEqual([
      ['quarantine-instance:i-1', 'contain', 'succeeded', 1],
      ['snapshot-volumes:i-1', 'preserve', 'succeeded', 1],
      ['update-finding:finding-1', 'notify', 'succeeded', 1],
    ]);
    const [first] = outcome.steps;
    expect(first).toMatchObject({ target: { type: 'AwsEc2Instance', id: 'i-1' }, result: ok('quarantine-instance:i-1') });
    expect(Date.parse(first?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(first?.startedAt ?? ''));
  });

  it('runs notify steps only after containment and preservation finished', async () => {
    const runner = fakeRunner();
    await runWorkflow(ec2, input([...host('i-1'), ...host('i-2').slice(0, 2)]), deps({ runAction: runner.runAction }));
    expect(runner.calls).toHaveLength(5);
    expect(runner.calls.at(-1)).toBe('update-finding:finding-1');
  });

  it('lets preservation finish when containment fails, then escalates', async () => {
    const runner = fakeRunner({ 'quarantine-instance:i-1': [fail('NotFound', 'InvalidInstanceID.NotFound: i-1')] });
    const d = deps({ runAction: runner.runAction });
    const outcome = await runWorkflow(ec2, input(host()), d);
    expect(outcome.status).toBe('failed');
    expect(outcome.escalated).toBe(true);
    expect(outcome.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['quarantine-instance:i-1', 'failed'],
      ['snapshot-volumes:i-1', 'succeeded'],
      ['update-finding:finding-1', 'succeeded'],
    ]);
    expect(outcome.steps[0]).toMatchObject({ errorClass: 'NotFound', reason: 'InvalidInstanceID.NotFound: i-1', attempts: 1 });
    expect(d.escalations).toHaveLength(1);
    expect(d.escalations[0]?.failed.map((s) => s.stepId)).toEqual(['quarantine-instance:i-1']);
  });

  it('finishes the other targets of the same action when one fails permanently', async () => {
    const runner = fakeRunner({ 'quarantine-instance:i-2': [fail('NotFound')] });
    const steps = [...host('i-1').slice(0, 1), ...host('i-2').slice(0, 1), ...host('i-3').slice(0, 1)];
    const outcome = await runWorkflow(ec2, input(steps), deps({ runAction: runner.runAction }));
    expect(outcome.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(outcome.escalated).toBe(true);
    // Permanent failures are not retried.
    expect(runner.calls.filter((c) => c === 'quarantine-instance:i-2')).toHaveLength(1);
  });

  it('retries a throttled step until it succeeds and counts the attempts', async () => {
    const runner = fakeRunner({ 'snapshot-volumes:i-1': [fail('Throttled'), fail('Throttled'), fail('Throttled'), ok()] });
    const d = deps({ runAction: runner.runAction });
    const outcome = await runWorkflow(ec2, input(host()), d);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.escalated).toBe(false);
    expect(outcome.steps[1]).toMatchObject({ stepId: 'snapshot-volumes:i-1', status: 'succeeded', attempts: 4 });
    expect(d.events.filter((e) => e.stepId === 'snapshot-volumes:i-1').map((e) => e.kind)).toEqual([
      'started',
      'retrying',
      'retrying',
      'retrying',
      'finished',
    ]);
  });

  it('gives up after the retrier\'s MaxAttempts and records the failure', async () => {
    const runner = fakeRunner({ 'snapshot-volumes:i-1': [fail('Transient')] });
    const outcome = await runWorkflow(ec2, input(host()), deps({ runAction: runner.runAction }));
    const maxAttempts = retriers('lambda')[1]?.MaxAttempts ?? 0;
    expect(outcome.steps[1]).toMatchObject({ status: 'failed', errorClass: 'Transient', attempts: maxAttempts + 1 });
    expect(outcome.escalated).toBe(true);
  });

  it('records an action runner that throws as an Unknown failure', async () => {
    const d = deps({
      runAction: async (s) => {
        if (s.action === 'snapshot-volumes') throw new Error('socket hang up');
        return ok();
      },
    });
    const outcome = await runWorkflow(ec2, input(host()), d);
    expect(outcome.steps[1]).toMatchObject({ status: 'failed', errorClass: 'Unknown', reason: 'socket hang up' });
  });

  it('passes a skipped result through with its reason', async () => {
    const runner = fakeRunner({ 'quarantine-instance:i-1': [{ status: 'skipped', reason: 'already-done', summary: 'isolated earlier' }] });
    const outcome = await runWorkflow(ec2, input(host()), deps({ runAction: runner.runAction }));
    expect(outcome.steps[0]).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(outcome.status).toBe('succeeded');
  });

  it('runs Azure actions (HTTPS tasks) through the same action runner', async () => {
    const runner = fakeRunner({ 'snapshot-disks:vm-1': [fail('Throttled'), ok()] });
    const vmStep = (action: ActionName): StepInput => ({ ...step(action, 'vm-1'), target: { type: 'Microsoft.Compute/virtualMachines', id: 'vm-1' } });
    const outcome = await runWorkflow(
      vm,
      input([
        { phase: 'contain', step: vmStep('quarantine-vm') },
        { phase: 'preserve', step: vmStep('snapshot-disks') },
        { phase: 'notify', step: { ...step('open-clock', 'inc-test'), target: { type: 'incident', id: 'inc-test' } } },
      ]),
      deps({ runAction: runner.runAction }),
    );
    expect(outcome.steps.map((s) => [s.action, s.status, s.attempts])).toEqual([
      ['quarantine-vm', 'succeeded', 1],
      ['snapshot-disks', 'succeeded', 2],
      ['open-clock', 'succeeded', 1],
    ]);
  });

  describe('approval gate', () => {
    const approvalRun = async (answer: RunnerDeps['requestApproval']) => {
      const runner = fakeRunner();
      const requests: ApprovalRequest[] = [];
      const d = deps({
        runAction: runner.runAction,
        ...(answer ? { requestApproval: async (r: ApprovalRequest) => (requests.push(r), answer(r)) } : {}),
      });
      // Only the instance is tagged cordon:approval=required: the snapshot goes ahead.
      const steps = [{ phase: 'contain' as const, step: step('quarantine-instance', 'i-1', true) }, ...host().slice(1)];
      const outcome = await runWorkflow(ec2, input(steps), d);
      return { outcome, requests, calls: runner.calls, d };
    };

    it('runs the step once approved, and asks only for steps that need it', async () => {
      const { outcome, requests, calls } = await approvalRun(async () => 'approved');
      expect(requests).toEqual([
        { incidentId: 'inc-test', stepId: 'quarantine-instance:i-1', action: 'quarantine-instance', target: { type: 'AwsEc2Instance', id: 'i-1' }, timeoutSeconds: 3600 },
      ]);
      expect(calls).toContain('quarantine-instance:i-1');
      expect(outcome.steps[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(outcome.escalated).toBe(false);
    });

    it('reports a rejected step as skipped with the reason and never runs it', async () => {
      const { outcome, calls, d } = await approvalRun(async () => ({ rejected: 'production database host' }));
      expect(calls).not.toContain('quarantine-instance:i-1');
      expect(outcome.steps[0]).toMatchObject({ status: 'skipped', reason: 'rejected: production database host', attempts: 0 });
      expect(outcome.steps[1]?.status).toBe('succeeded');
      expect(outcome.status).toBe('succeeded');
      expect(d.events.filter((e) => e.stepId === 'quarantine-instance:i-1').map((e) => e.kind)).toEqual(['started', 'awaiting-approval', 'finished']);
    });

    it('fails and escalates a step whose approval timed out', async () => {
      const { outcome, calls, d } = await approvalRun(async () => 'timeout');
      expect(calls).not.toContain('quarantine-instance:i-1');
      expect(outcome.steps[0]).toMatchObject({ status: 'failed', errorClass: 'Timeout', attempts: 0 });
      expect(outcome.escalated).toBe(true);
      expect(d.escalations).toHaveLength(1);
    });

    it('treats a run with no approver as a timeout: nothing acts without a person', async () => {
      const { outcome, calls } = await approvalRun(undefined);
      expect(calls).not.toContain('quarantine-instance:i-1');
      expect(outcome.steps[0]).toMatchObject({ status: 'failed', errorClass: 'Timeout' });
    });
  });

  it('refuses input the definition has no Map for, rather than silently skipping it', async () => {
    const runner = fakeRunner();
    const bad = input([{ phase: 'contain', step: step('revoke-role-sessions', 'role') }]);
    await expect(runWorkflow(ec2, bad, deps({ runAction: runner.runAction }))).rejects.toThrow(/no contain step for 'revoke_role_sessions'/);
    expect(runner.calls).toEqual([]);
  });

  it('runs an input with no steps at all', async () => {
    const outcome = await runWorkflow(ec2, input([]), deps({ runAction: fakeRunner().runAction }));
    expect(outcome).toEqual({ status: 'succeeded', steps: [], escalated: false });
  });
});

describe('workflowInput', () => {
  it('groups the planner\'s steps by phase and action and carries what the action runner needs', () => {
    const incident: Incident = {
      id: 'inc-1',
      finding: {
        id: 'arn:aws:securityhub:eu-west-1:123456789012:finding/1',
        source: 'securityhub',
        cloud: 'aws',
        type: 'UnauthorizedAccess:EC2/SSHBruteForce',
        title: 't',
        severity: 'high',
        account: '123456789012',
        region: 'eu-west-1',
        observedAt: '2024-01-01T00:00:00Z',
        sample: false,
        resources: [],
        productArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty',
      },
      trust: { trusted: true, reason: 'AWS-owned Security Hub product guardduty' },
      playbook: 'aws-ec2-compromise',
      steps: [
        { id: 'quarantine-instance:i-1', action: 'quarantine-instance', target: { type: 'AwsEc2Instance', id: 'i-1' }, phase: 'contain', dependsOn: [], account: '123456789012', region: 'eu-west-1', approval: true, params: {} },
        { id: 'quarantine-instance:i-2', action: 'quarantine-instance', target: { type: 'AwsEc2Instance', id: 'i-2' }, phase: 'contain', dependsOn: [], account: '123456789012', region: 'eu-west-1', approval: false, params: { x: 1 } },
        { id: 'update-finding:f', action: 'update-finding', target: { type: 'finding', id: 'f' }, phase: 'notify', dependsOn: ['quarantine-instance:i-1'], account: '123456789012', region: 'eu-west-1', approval: false, params: {} },
      ],
      skipped: [],
      clocks: [],
    };
    const wi = workflowInput(incident, 'automatic');
    expect(wi.incident).toEqual({ id: 'inc-1', playbook: 'aws-ec2-compromise', mode: 'automatic', findingId: incident.finding.id });
    expect(Object.keys(wi.phases.contain)).toEqual(['quarantine_instance']);
    expect(wi.phases.contain['quarantine_instance']?.map((s) => [s.stepId, s.approval])).toEqual([
      ['quarantine-instance:i-1', true],
      ['quarantine-instance:i-2', false],
    ]);
    expect(wi.phases.notify['update_finding']?.[0]).toEqual({
      incidentId: 'inc-1',
      stepId: 'update-finding:f',
      action: 'update-finding',
      target: { type: 'finding', id: 'f' },
      account: '123456789012',
      region: 'eu-west-1',
      mode: 'automatic',
      finding: { id: incident.finding.id, source: 'securityhub', observedAt: incident.finding.observedAt, productArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty' },
      params: {},
      approval: false,
    });
    expect(wi.phases.preserve).toEqual({});
  });
});

describe('retry rules', () => {
  const [throttle, transient] = retriers('lambda');
  it('matches an error to the first retrier that names it', () => {
    expect(matchRetrier(retriers('lambda'), 'Cordon.Throttled')).toBe(0);
    expect(matchRetrier(retriers('lambda'), 'States.Timeout')).toBe(1);
    expect(matchRetrier(retriers('lambda'), 'Cordon.NotFound')).toBe(-1);
    expect(matchRetrier(retriers('http'), 'States.Http.StatusCode.503')).toBe(1);
  });
  it('backs off exponentially up to MaxDelaySeconds, jittered between 0 and the full pause', () => {
    if (!throttle || !transient) throw new Error('retriers missing');
    const full = () => 1;
    expect([0, 1, 2, 3].map((n) => backoffMs(throttle, n, full))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(throttle, 10, full)).toBe(throttle.MaxDelaySeconds * 1000);
    expect(backoffMs(transient, 0, () => 0.25)).toBe(500);
  });
  it('maps Step Functions error names to Cordon error classes', () => {
    expect(errorClassOf('Cordon.AccessDenied')).toBe('AccessDenied');
    expect(errorClassOf('States.Timeout')).toBe('Timeout');
    expect(errorClassOf('Lambda.TooManyRequestsException')).toBe('Throttled');
    expect(errorClassOf('States.Http.StatusCode.502')).toBe('Transient');
    expect(errorClassOf('Cordon.Bogus')).toBe('Unknown');
  });
});

describe('the checked-in ASL', () => {
  it('runs as it is deployed: workflows/asl/aws-ec2-compromise.asl.json', async () => {
    const { readFileSync } = await import('node:fs');
    const { defaultAslDir } = await import('./write.js');
    const definition = JSON.parse(readFileSync(`${defaultAslDir()}aws-ec2-compromise.asl.json`, 'utf8')) as typeof ec2;
    const runner = fakeRunner({ 'quarantine-instance:i-1': [fail('Throttled'), ok()] });
    const outcome = await runWorkflow(definition, input(host()), deps({ runAction: runner.runAction }));
    expect(outcome.steps.map((s) => [s.stepId, s.status, s.attempts])).toEqual([
      ['quarantine-instance:i-1', 'succeeded', 2],
      ['snapshot-volumes:i-1', 'succeeded', 1],
      ['update-finding:finding-1', 'succeeded', 1],
    ]);
  });
});
