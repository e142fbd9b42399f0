import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../functions/core/playbooks/load.js';
import { allStates } from './asl.js';
import type { MapState, ParallelState, State, StateMachine, TaskState } from './asl.js';
import { CLOCK_WATCH_ID, FAILED_MARKER, PLACEHOLDERS, RESOURCES, compileAll, compileClockWatch, compilePlaybook, failedRecord } from './compile.js';
import { EC2_PLAYBOOK, VM_PLAYBOOK, testPlaybook } from './test-playbooks.js';
import { validateAsl } from './validate.js';

const tasks = (m: StateMachine) => [...allStates(m)].filter((e): e is [string, TaskState] => e[1].Type === 'Task');
const maps = (m: StateMachine) => [...allStates(m)].filter((e): e is [string, MapState] => e[1].Type === 'Map');
const top = (m: StateMachine, name: string): State => {
  const s = m.States[name];
  if (!s) throw new Error(`no state ${name}`);
  return s;
};

describe('compilePlaybook', () => {
  const machines = { ...compileAll(loadPlaybooks()), ec2: compilePlaybook(EC2_PLAYBOOK), vm: compilePlaybook(VM_PLAYBOOK) };

  it.each(Object.keys(machines))('%s validates with asl-validator', (id) => {
    const machine = machines[id as keyof typeof machines] as StateMachine;
    expect(validateAsl(machine)).toEqual({ valid: true, errors: '' });
  });

  it('validation really checks: a dangling Next is reported', () => {
    const broken = structuredClone(compilePlaybook(EC2_PLAYBOOK));
    broken.States['collect results'] = { Type: 'Pass', Next: 'nowhere' };
    expect(validateAsl(broken).valid).toBe(false);
  });

  it('runs containment and preservation in one Parallel, notify after it', () => {
    const m = compilePlaybook(EC2_PLAYBOOK);
    expect(m.StartAt).toBe('contain and preserve');
    const parallel = top(m, 'contain and preserve') as ParallelState;
    expect(parallel.Type).toBe('Parallel');
    const branchMaps = parallel.Branches.map((b) => Object.values(b.States).filter((s) => s.Type === 'Map').map((s) => (s as MapState).ItemsPath));
    expect(branchMaps).toEqual([['$.phases.contain.quarantine_instance'], ['$.phases.preserve.snapshot_volumes']]);
    // Notify Maps are top-level states reached only after the Parallel.
    const topMaps = Object.values(m.States).filter((s): s is MapState => s.Type === 'Map').map((s) => s.ItemsPath);
    expect(topMaps).toEqual(['$.phases.notify.update_finding', '$.phases.notify.open_clock']);
    expect(parallel.Next).toBe('collect results');
  });

  it('guards every Map with a Choice so an action with no targets is skipped', () => {
    for (const [name, map] of maps(compilePlaybook(EC2_PLAYBOOK))) {
      const chooser = [...allStates(compilePlaybook(EC2_PLAYBOOK))].find(([, s]) => s.Type === 'Choice' && s.Choices.some((c) => c.Next === name));
      expect(chooser?.[1]).toMatchObject({ Choices: [{ Variable: map.ItemsPath, IsPresent: true }] });
    }
  });

  it('routes AWS and Cordon actions to the action runner Lambda and Azure actions over HTTPS', () => {
    const run = (m: StateMachine, label: string) => tasks(m).find(([n]) => n === `${label}: run`)?.[1];
    expect(run(compilePlaybook(EC2_PLAYBOOK), 'quarantine-instance')).toMatchObject({
      Resource: RESOURCES.lambda,
      Parameters: { FunctionName: PLACEHOLDERS.actionRunner, 'Payload.$': '$' },
    });
    const vm = compilePlaybook(VM_PLAYBOOK);
    expect(run(vm, 'quarantine-vm')).toMatchObject({
      Resource: 'arn:aws:states:::http:invoke',
      Parameters: {
        ApiEndpoint: '${AzureActionRunnerUrl}',
        Method: 'POST',
        Authentication: { ConnectionArn: '${AzureRunnerConnectionArn}' },
        'RequestBody.$': '$',
      },
    });
    expect(run(vm, 'open-clock')).toMatchObject({ Resource: RESOURCES.lambda, Parameters: { FunctionName: '${ActionRunnerFunctionArn}' } });
  });

  it('retries throttling and transient errors with exponential backoff and full jitter on every action Task', () => {
    for (const m of [compilePlaybook(EC2_PLAYBOOK), compilePlaybook(VM_PLAYBOOK)]) {
      for (const [name, task] of tasks(m).filter(([n]) => n.endsWith(': run'))) {
        const errors = (task.Retry ?? []).flatMap((r) => r.ErrorEquals);
        for (const e of ['Cordon.Throttled', 'Cordon.Transient', 'Cordon.Timeout', 'Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'States.Timeout']) {
          expect(errors, name).toContain(e);
        }
        // Permanent failures are not retried: they go straight to the failed record.
        expect(errors).not.toContain('Cordon.NotFound');
        expect(errors).not.toContain('States.ALL');
        for (const r of task.Retry ?? []) expect(r).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) });
      }
    }
  });

  it('catches every error on every Task and records the failure', () => {
    for (const m of Object.values(machines)) {
      for (const [name, task] of tasks(m)) {
        expect(task.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')), name).toBe(true);
      }
    }
    const failed = [...allStates(compilePlaybook(EC2_PLAYBOOK))].find(([n]) => n === 'quarantine-instance: failed')?.[1];
    expect(failed).toMatchObject({
      Type: 'Pass',
      Parameters: { outcome: { status: 'failed', 'errorClass.$': expect.stringContaining('$.error.Error'), 'message.$': '$.error.Cause' } },
    });
  });

  it('puts an approval gate only on contain and preserve steps, waiting for a task token', () => {
    const m = compilePlaybook(EC2_PLAYBOOK);
    const approvals = tasks(m).filter(([, t]) => t.Resource === RESOURCES.lambdaWaitForToken);
    expect(approvals.map(([n]) => n)).toEqual(['quarantine-instance: request approval', 'snapshot-volumes: request approval']);
    for (const [, t] of approvals) {
      expect(t).toMatchObject({
        Parameters: { FunctionName: PLACEHOLDERS.approval, Payload: { 'taskToken.$': '$$.Task.Token' } },
        TimeoutSeconds: 3600,
      });
    }
    // Only a step whose input says approval: true goes to the gate.
    expect(top(m, 'contain and preserve')).toBeDefined();
    const gate = [...allStates(m)].find(([n]) => n === 'quarantine-instance: needs approval?')?.[1];
    expect(gate).toMatchObject({ Choices: [{ Variable: '$.approval', BooleanEquals: true }], Default: 'quarantine-instance: run' });
  });

  it('takes approval timeouts from the options', () => {
    const m = compilePlaybook(EC2_PLAYBOOK, { approvalTimeoutSeconds: 900, approvalHeartbeatSeconds: 300 });
    const gate = tasks(m).find(([, t]) => t.Resource === RESOURCES.lambdaWaitForToken)?.[1];
    expect(gate).toMatchObject({ TimeoutSeconds: 900, HeartbeatSeconds: 300 });
  });

  it('escalates through SNS when any step failed and always ends with every result', () => {
    const m = compilePlaybook(EC2_PLAYBOOK);
    expect(top(m, 'any step failed?')).toMatchObject({ Type: 'Choice', Choices: [{ Next: 'escalate' }], Default: 'not escalated' });
    expect(top(m, 'escalate')).toMatchObject({ Resource: RESOURCES.sns, Parameters: { TopicArn: PLACEHOLDERS.escalationTopic } });
    for (const end of ['escalated', 'escalation failed', 'not escalated']) {
      expect(top(m, end)).toMatchObject({ Type: 'Pass', Parameters: { 'results.$': '$.results' }, Next: 'done' });
    }
  });

  it('keeps state names unique when an action appears in two phases', () => {
    const pb = testPlaybook('test-twice', 'aws', [{ action: 'snapshot-volumes' }, { action: 'snapshot-volumes', phase: 'contain' }]);
    const m = compilePlaybook(pb);
    expect(validateAsl(m).valid).toBe(true);
    expect(maps(m).map(([n]) => n)).toEqual(
      expect.arrayContaining(['contain snapshot-volumes: each target', 'preserve snapshot-volumes: each target']),
    );
  });

  it('is deterministic', () => {
    expect(JSON.stringify(compilePlaybook(EC2_PLAYBOOK))).toBe(JSON.stringify(compilePlaybook(EC2_PLAYBOOK)));
  });
});

describe('clock-watch', () => {
  it('waits until the reminder, reminds, waits until the deadline, checks', () => {
    const m = compileClockWatch();
    expect(validateAsl(m).valid).toBe(true);
    expect(m.StartAt).toBe('wait for reminder');
    expect(m.States['wait for reminder']).toEqual({ Type: 'Wait', TimestampPath: '$.remindAt', Next: 'remind' });
    expect(m.States['remind']).toMatchObject({ Type: 'Task', Next: 'wait for deadline', Parameters: { Payload: { kind: 'reminder' } } });
    expect(m.States['wait for deadline']).toEqual({ Type: 'Wait', TimestampPath: '$.deadline', Next: 'overdue check' });
    expect(m.States['overdue check']).toMatchObject({ Type: 'Task', Parameters: { Payload: { kind: 'overdue-check' } } });
    expect(compileAll([])).toHaveProperty(CLOCK_WATCH_ID);
  });
});

describe('the failed record', () => {
  // Runs the record's Parameters in the interpreter: its intrinsic functions must not fail the execution.
  it.each([
    ['Cordon.NotFound', 'NotFound'],
    ['States.Timeout', 'Timeout'],
    ['Error', 'Unknown'],
  ])('takes the error class from %s', async (error, errorClass) => {
    const { StateMachine: Interpreter } = await import('aws-local-stepfunctions');
    const machine = new Interpreter({ StartAt: 'record', States: { record: { Type: 'Pass', Parameters: failedRecord(), End: true } } });
    const out = await machine.run({ stepId: 's', action: 'a', target: { type: 't', id: 'i' }, error: { Error: error, Cause: 'why' } }).result;
    expect(out).toMatchObject({ stepId: 's', outcome: { status: 'failed', errorClass, error, message: 'why' }, escalate: FAILED_MARKER });
  });
});
