import { ACTION_CATALOG } from '../functions/core/actions/catalog.js';
import type { ActionName, Phase } from '../functions/core/model.js';
import type { Playbook } from '../functions/core/playbooks/schema.js';
import type { Branch, Catcher, ChoiceState, JsonObject, Retrier, State, StateMachine, TaskState } from './asl.js';
import { actionKey } from './input.js';

/**
 * Playbook → Amazon States Language (pure). One state machine per playbook:
 *
 *   Parallel [ contain: Map per action │ preserve: Map per action ]
 *   → notify: Map per action → summarize → any step failed? → Escalate (SNS) → Succeed
 *
 * Each Map runs one Task per target. A Task that fails after its retries is caught and recorded
 * as a failed step, so the other targets and the other branch always finish; the execution
 * output carries every step's record, and the escalation follows from any failed record.
 *
 * Action runner contract (Lambda and Azure Function alike): it returns the ActionResult for
 * `succeeded` and `skipped`; for `failed` it raises an error named `Cordon.<ErrorClass>` (the
 * Lambda error type; the Azure Function answers 429 for Throttled, 503 for Transient, 504 for
 * Timeout and 4xx/500 otherwise, which Step Functions names `States.Http.StatusCode.<code>`).
 * Retry applies to the retryable classes; every failure ends in the step's `failed` record.
 *
 * Approval contract: the approval requester receives the task token and the step; the decision
 * comes back through SendTaskSuccess with `{ "approved": true }` or `{ "approved": false,
 * "reason": "…" }`. No decision before TimeoutSeconds → the step fails (Timeout) → escalation.
 */

/** Filled by CDK's `DefinitionSubstitutions` when the machine is deployed. */
export const PLACEHOLDERS = {
  actionRunner: '${ActionRunnerFunctionArn}',
  azureActionRunnerUrl: '${AzureActionRunnerUrl}',
  azureRunnerConnection: '${AzureRunnerConnectionArn}',
  approval: '${ApprovalFunctionArn}',
  escalationTopic: '${EscalationTopicArn}',
  clock: '${ClockFunctionArn}',
} as const;

export const RESOURCES = {
  lambda: 'arn:aws:states:::lambda:invoke',
  lambdaWaitForToken: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  http: 'arn:aws:states:::http:invoke',
  sns: 'arn:aws:states:::sns:publish',
} as const;

/** Written into a failed step's record; the final Choice looks for it to decide on escalation. */
export const FAILED_MARKER = 'cordon-step-failed';

export const THROTTLE_ERRORS = ['Cordon.Throttled', 'Lambda.TooManyRequestsException'] as const;
export const TRANSIENT_ERRORS = [
  'Cordon.Transient',
  'Cordon.Timeout',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'States.Timeout',
] as const;
/** What Step Functions raises when the Azure runner answers with these HTTP statuses. */
/** The live check's wait for a person: the Lambda's error name, and the Azure runner's 428 Precondition Required. */
const APPROVAL_REQUIRED_ERRORS = ['Cordon.ApprovalRequired', 'States.Http.StatusCode.428'] as const;
const HTTP_THROTTLE_ERRORS = ['States.Http.StatusCode.429'] as const;
const HTTP_TRANSIENT_ERRORS = ['500', '502', '503', '504'].map((code) => `States.Http.StatusCode.${code}`);

export interface CompileOptions {
  /** How long one action Task may run before States.Timeout (default 300 s). */
  taskTimeoutSeconds?: number;
  /** How long a step waits for a person (default 3600 s); then it fails and the incident escalates. */
  approvalTimeoutSeconds?: number;
  /** Only when the approver sends heartbeats (SendTaskHeartbeat); must be below the timeout. */
  approvalHeartbeatSeconds?: number;
  /** Targets of one action processed at once (default 10). */
  maxConcurrency?: number;
}

const DEFAULTS = { taskTimeoutSeconds: 300, approvalTimeoutSeconds: 3600, maxConcurrency: 10 } as const;

type Settings = Required<Omit<CompileOptions, 'approvalHeartbeatSeconds'>> & Pick<CompileOptions, 'approvalHeartbeatSeconds'>;

/** Phases whose steps change the estate and so may wait for a person (notify steps never do). */
const GATED_PHASES: ReadonlySet<Phase> = new Set(['contain', 'preserve']);

export function retriers(kind: 'lambda' | 'http'): Retrier[] {
  const throttle = kind === 'http' ? [...THROTTLE_ERRORS, ...HTTP_THROTTLE_ERRORS] : [...THROTTLE_ERRORS];
  const transient = kind === 'http' ? [...TRANSIENT_ERRORS, ...HTTP_TRANSIENT_ERRORS] : [...TRANSIENT_ERRORS];
  return [
    { ErrorEquals: throttle, IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
    { ErrorEquals: transient, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
  ];
}

function catchAll(next: string, resultPath = '$.error'): Catcher[] {
  return [{ ErrorEquals: ['States.ALL'], ResultPath: resultPath, Next: next }];
}

/** The fields every step record starts with. */
const RECORD_HEAD: JsonObject = { 'stepId.$': '$.stepId', 'action.$': '$.action', 'target.$': '$.target' };

/**
 * A caught error → the step's failed record. `errorClass` is the part after `Cordon.`; the appended
 * `.Unknown` keeps item 1 present for names without a dot (a Lambda's own `Error`, `TypeError`).
 */
export function failedRecord(): JsonObject {
  return {
    ...RECORD_HEAD,
    outcome: {
      status: 'failed',
      'errorClass.$': "States.ArrayGetItem(States.StringSplit(States.Format('{}.Unknown', $.error.Error), '.'), 1)",
      'error.$': '$.error.Error',
      'message.$': '$.error.Cause',
    },
    escalate: FAILED_MARKER,
  };
}

/** The Task that runs one action on one target: Lambda for AWS and Cordon actions, HTTPS for Azure. */
function actionTask(action: ActionName, next: string, failed: string, settings: Settings, askPerson?: string): TaskState {
  const azure = ACTION_CATALOG[action].cloud === 'azure';
  const common = {
    ResultPath: '$.run',
    TimeoutSeconds: settings.taskTimeoutSeconds,
    // The live check's "a person first" (engine/live-check.ts) goes to the approval states, not to failed.
    Catch: [...(askPerson ? [{ ErrorEquals: [...APPROVAL_REQUIRED_ERRORS], ResultPath: '$.error', Next: askPerson }] : []), ...catchAll(failed)],
    Next: next,
  };
  if (azure) {
    return {
      Type: 'Task',
      Comment: `${action} via the Azure Function action runner`,
      Resource: RESOURCES.http,
      Parameters: {
        ApiEndpoint: PLACEHOLDERS.azureActionRunnerUrl,
        Method: 'POST',
        Authentication: { ConnectionArn: PLACEHOLDERS.azureRunnerConnection },
        Headers: { 'Content-Type': 'application/json' },
        'RequestBody.$': '$',
      },
      ResultSelector: { 'result.$': '$.ResponseBody' },
      Retry: retriers('http'),
      ...common,
    };
  }
  return {
    Type: 'Task',
    Comment: `${action} via the action runner Lambda`,
    Resource: RESOURCES.lambda,
    Parameters: { FunctionName: PLACEHOLDERS.actionRunner, 'Payload.$': '$' },
    ResultSelector: { 'result.$': '$.Payload' },
    Retry: retriers('lambda'),
    ...common,
  };
}

/** State names of one action's iterator; names are unique across the whole machine, as ASL requires. */
export function stepStateNames(label: string) {
  return {
    any: `${label}: any targets?`,
    map: `${label}: each target`,
    needsApproval: `${label}: needs approval?`,
    requestApproval: `${label}: request approval`,
    approved: `${label}: approved?`,
    rejected: `${label}: rejected`,
    approvalTimedOut: `${label}: approval timed out`,
    run: `${label}: run`,
    liveApproval: `${label}: live tags ask a person`,
    done: `${label}: done`,
    failed: `${label}: failed`,
  };
}

function iterator(action: ActionName, label: string, gated: boolean, settings: Settings): Branch {
  const n = stepStateNames(label);
  const states: Record<string, State> = {};
  if (gated) {
    states[n.needsApproval] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.approval', BooleanEquals: true, Next: n.requestApproval }],
      Default: n.run,
    };
    const request: TaskState = {
      Type: 'Task',
      Comment: 'Waits for cordon approve / cordon reject (SendTaskSuccess with the decision)',
      Resource: RESOURCES.lambdaWaitForToken,
      Parameters: {
        FunctionName: PLACEHOLDERS.approval,
        Payload: {
          'taskToken.$': '$$.Task.Token',
          'incidentId.$': '$.incidentId',
          'stepId.$': '$.stepId',
          'action.$': '$.action',
          'target.$': '$.target',
          timeoutSeconds: settings.approvalTimeoutSeconds,
        },
      },
      ResultPath: '$.approvalDecision',
      TimeoutSeconds: settings.approvalTimeoutSeconds,
      Catch: [
        { ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], ResultPath: '$.error', Next: n.approvalTimedOut },
        ...catchAll(n.failed),
      ],
      Next: n.approved,
    };
    if (settings.approvalHeartbeatSeconds !== undefined) request.HeartbeatSeconds = settings.approvalHeartbeatSeconds;
    states[n.requestApproval] = request;
    states[n.approved] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.approvalDecision.approved', BooleanEquals: true, Next: n.run }],
      Default: n.rejected,
    };
    states[n.rejected] = {
      Type: 'Pass',
      Parameters: {
        ...RECORD_HEAD,
        outcome: {
          status: 'skipped',
          'reason.$': "States.Format('rejected: {}', $.approvalDecision.reason)",
          summary: 'a person rejected the step',
        },
      },
      End: true,
    };
    states[n.approvalTimedOut] = {
      Type: 'Pass',
      Parameters: {
        ...RECORD_HEAD,
        outcome: {
          status: 'failed',
          errorClass: 'Timeout',
          'error.$': '$.error.Error',
          message: 'no approval decision before the timeout',
        },
        escalate: FAILED_MARKER,
      },
      End: true,
    };
  }
  if (gated) {
    // Asked once: a step a person already answered that still wants one has failed.
    states[n.liveApproval] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.approvalDecision', IsPresent: true, Next: n.failed }],
      Default: n.requestApproval,
    };
  }
  states[n.run] = actionTask(action, n.done, n.failed, settings, gated ? n.liveApproval : undefined);
  states[n.done] = { Type: 'Pass', Parameters: { ...RECORD_HEAD, 'outcome.$': '$.run.result' }, End: true };
  states[n.failed] = { Type: 'Pass', Parameters: failedRecord(), End: true };
  return { StartAt: gated ? n.needsApproval : n.run, States: states };
}

interface PhaseActions {
  phase: Phase;
  actions: ActionName[];
}

/** Chooser + Map per action, chained in playbook order; returns the first state's name. */
function chainActions(
  group: PhaseActions,
  labelOf: (phase: Phase, action: ActionName) => string,
  resultsPath: string,
  next: string,
  settings: Settings,
  into: Record<string, State>,
): string {
  const names = group.actions.map((action) => stepStateNames(labelOf(group.phase, action)));
  group.actions.forEach((action, i) => {
    const n = names[i] as ReturnType<typeof stepStateNames>;
    const following = names[i + 1]?.any ?? next;
    const key = actionKey(action);
    const any: ChoiceState = {
      Type: 'Choice',
      Comment: 'No targets of this action in the input: nothing to run',
      Choices: [{ Variable: `$.phases.${group.phase}.${key}`, IsPresent: true, Next: n.map }],
      Default: following,
    };
    into[n.any] = any;
    into[n.map] = {
      Type: 'Map',
      ItemsPath: `$.phases.${group.phase}.${key}`,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...iterator(action, labelOf(group.phase, action), GATED_PHASES.has(group.phase), settings) },
      MaxConcurrency: settings.maxConcurrency,
      ResultPath: `${resultsPath}.${key}`,
      Next: following,
    };
  });
  return names[0]?.any ?? next;
}

function phaseBranch(group: PhaseActions, labelOf: (phase: Phase, action: ActionName) => string, settings: Settings): Branch {
  const start = `${group.phase}: start`;
  const results = `${group.phase}: results`;
  const chain: Record<string, State> = {};
  const first = chainActions(group, labelOf, '$.results', results, settings, chain);
  const states: Record<string, State> = {
    [start]: { Type: 'Pass', Parameters: { 'phases.$': '$.phases', results: {} }, Next: first },
    ...chain,
    [results]: { Type: 'Pass', OutputPath: '$.results', End: true },
  };
  return { StartAt: start, States: states };
}

/** The playbook's actions per phase, in playbook order, once each; every workflow can open clocks. */
export function actionsByPhase(playbook: Playbook): Record<Phase, ActionName[]> {
  const byPhase: Record<Phase, ActionName[]> = { contain: [], preserve: [], notify: [] };
  for (const step of playbook.steps) {
    const phase = step.phase ?? ACTION_CATALOG[step.action].phase;
    if (!byPhase[phase].includes(step.action)) byPhase[phase].push(step.action);
  }
  // The planner decides whether a clock opens (GDPR per playbook, NIS2 per settings); the Map is there either way.
  if (!byPhase.notify.includes('open-clock')) byPhase.notify.push('open-clock');
  return byPhase;
}

/** An action listed in two phases gets the phase in its state names, keeping them unique. */
function labeller(byPhase: Record<Phase, ActionName[]>): (phase: Phase, action: ActionName) => string {
  const all = Object.values(byPhase).flat();
  return (phase, action) => (all.filter((a) => a === action).length > 1 ? `${phase} ${action}` : action);
}

const RESULT_FIELDS: JsonObject = { 'incident.$': '$.incident', 'results.$': '$.results' };

export function compilePlaybook(playbook: Playbook, options: CompileOptions = {}): StateMachine {
  const settings: Settings = { ...DEFAULTS, ...options };
  const byPhase = actionsByPhase(playbook);
  const labelOf = labeller(byPhase);
  const states: Record<string, State> = {};

  states['contain and preserve'] = {
    Type: 'Parallel',
    Comment: 'Containment and preservation run side by side; a failure in one never stops the other',
    Branches: [
      phaseBranch({ phase: 'contain', actions: byPhase.contain }, labelOf, settings),
      phaseBranch({ phase: 'preserve', actions: byPhase.preserve }, labelOf, settings),
    ],
    ResultPath: '$.parallel',
    Next: 'collect results',
  };
  const notifyStates: Record<string, State> = {};
  const firstNotify = chainActions({ phase: 'notify', actions: byPhase.notify }, labelOf, '$.results.notify', 'summarize', settings, notifyStates);
  states['collect results'] = {
    Type: 'Pass',
    Parameters: {
      'incident.$': '$.incident',
      'phases.$': '$.phases',
      results: { 'contain.$': '$.parallel[0]', 'preserve.$': '$.parallel[1]', notify: {} },
    },
    Next: firstNotify,
  };
  Object.assign(states, notifyStates);
  states['summarize'] = {
    Type: 'Pass',
    Parameters: { ...RESULT_FIELDS, 'digest.$': 'States.JsonToString($.results)' },
    Next: 'any step failed?',
  };
  states['any step failed?'] = {
    Type: 'Choice',
    Choices: [{ Variable: '$.digest', StringMatches: `*${FAILED_MARKER}*`, Next: 'escalate' }],
    Default: 'not escalated',
  };
  states['escalate'] = {
    Type: 'Task',
    Comment: 'DESIGN §4: the incident is escalated on any failure',
    Resource: RESOURCES.sns,
    Parameters: {
      TopicArn: PLACEHOLDERS.escalationTopic,
      Subject: `Cordon: ${playbook.id} needs a person`,
      'Message.$':
        "States.Format('Cordon incident {} (playbook {}): at least one step failed or timed out. Step results: {}', $.incident.id, $.incident.playbook, $.digest)",
    },
    ResultPath: null,
    Retry: [
      {
        ErrorEquals: ['SNS.ThrottledException', 'SNS.InternalErrorException', 'States.Timeout'],
        IntervalSeconds: 1,
        MaxAttempts: 3,
        BackoffRate: 2,
        MaxDelaySeconds: 10,
        JitterStrategy: 'FULL',
      },
    ],
    Catch: catchAll('escalation failed', '$.escalationError'),
    Next: 'escalated',
  };
  states['escalated'] = { Type: 'Pass', Parameters: { ...RESULT_FIELDS, escalated: true }, Next: 'done' };
  states['escalation failed'] = {
    Type: 'Pass',
    Parameters: { ...RESULT_FIELDS, escalated: false, 'escalationError.$': '$.escalationError' },
    Next: 'done',
  };
  states['not escalated'] = { Type: 'Pass', Parameters: { ...RESULT_FIELDS, escalated: false }, Next: 'done' };
  states['done'] = { Type: 'Succeed' };

  return {
    Comment: `Cordon playbook ${playbook.id}: ${playbook.title}`,
    StartAt: 'contain and preserve',
    States: states,
  };
}

export function compileAll(playbooks: readonly Playbook[], options?: CompileOptions): Record<string, StateMachine> {
  const machines: Record<string, StateMachine> = {};
  for (const playbook of [...playbooks].sort((a, b) => a.id.localeCompare(b.id))) {
    machines[playbook.id] = compilePlaybook(playbook, options);
  }
  machines[CLOCK_WATCH_ID] = compileClockWatch();
  return machines;
}

export const CLOCK_WATCH_ID = 'clock-watch';

/**
 * One machine for every regulatory clock (issue 4): the clock is a Wait until a timestamp.
 * Input: ClockWatchInput. The clock function decides what a reminder or an overdue clock means
 * (it does nothing when the notification was already recorded).
 */
export function compileClockWatch(options: Pick<CompileOptions, 'taskTimeoutSeconds'> = {}): StateMachine {
  const timeout = options.taskTimeoutSeconds ?? DEFAULTS.taskTimeoutSeconds;
  const clockTask = (kind: 'reminder' | 'overdue-check', next: string, failed: string): TaskState => ({
    Type: 'Task',
    Resource: RESOURCES.lambda,
    Parameters: { FunctionName: PLACEHOLDERS.clock, Payload: { kind, 'clock.$': '$' } },
    ResultSelector: { 'result.$': '$.Payload' },
    ResultPath: kind === 'reminder' ? '$.reminder' : '$.overdueCheck',
    TimeoutSeconds: timeout,
    Retry: retriers('lambda'),
    Catch: catchAll(failed, '$.error'),
    Next: next,
  });
  return {
    Comment: 'Cordon regulatory clock: remind before the deadline, check at the deadline',
    StartAt: 'wait for reminder',
    States: {
      'wait for reminder': { Type: 'Wait', TimestampPath: '$.remindAt', Next: 'remind' },
      remind: clockTask('reminder', 'wait for deadline', 'reminder failed'),
      'reminder failed': { Type: 'Pass', Next: 'wait for deadline' },
      'wait for deadline': { Type: 'Wait', TimestampPath: '$.deadline', Next: 'overdue check' },
      'overdue check': clockTask('overdue-check', 'done', 'overdue check failed'),
      'overdue check failed': { Type: 'Pass', Next: 'done' },
      done: { Type: 'Succeed' },
    },
  };
}
