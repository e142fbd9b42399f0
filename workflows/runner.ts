import * as z from 'zod';
import type { ActionResult, ErrorClass } from '../functions/core/actions/types.js';
import type { Phase, Target } from '../functions/core/model.js';
import { allStates } from './asl.js';
import type { JsonValue, Retrier, StateMachine, TaskState } from './asl.js';
import { PLACEHOLDERS, RESOURCES } from './compile.js';
import { TaskError, WorkflowError, causeMessage, errorClassOf } from './errors.js';
import { execute, interpreter, noInterpreterRetryPauses, now, sleep, toJson } from './interpret.js';
import type { Handler } from './interpret.js';
import type { StepInput, WorkflowInput } from './input.js';
import { backoffMs, matchRetrier } from './retry.js';

/**
 * Runs a compiled workflow in-process with aws-local-stepfunctions: the SAME definition that is
 * deployed, its Task states bound to local functions that return what the cloud integration would
 * (Lambda `{ Payload }`, HTTPS `{ ResponseBody }`, the approval decision, SNS `{ MessageId }`).
 *
 * Time: the interpreter can only replace a Retry pause with a fixed number per state, so it is set
 * to 0 and the bound Task applies the real backoff (interval × rate^n, capped, full jitter) itself,
 * scaled by `retryScale`, before it calls the action again. Waits are scaled by `speed`.
 */

export type StepStatus = 'succeeded' | 'skipped' | 'failed';

export interface ApprovalRequest {
  incidentId: string;
  stepId: string;
  action: string;
  target: Target;
  timeoutSeconds: number;
}

export type ApprovalAnswer = 'approved' | { rejected: string } | 'timeout';

export interface StepEvent {
  kind: 'started' | 'awaiting-approval' | 'retrying' | 'finished';
  stepId: string;
  action: string;
  target: Target;
  phase: Phase;
  /** ISO-8601 UTC. */
  at: string;
  /** Calls of the action so far. */
  attempt: number;
  status?: StepStatus;
  reason?: string;
  errorClass?: ErrorClass;
}

export interface StepOutcome {
  stepId: string;
  action: string;
  target: Target;
  phase: Phase;
  status: StepStatus;
  reason?: string;
  errorClass?: ErrorClass;
  startedAt: string;
  finishedAt: string;
  /** How many times the action ran (0 when it never did: rejected or no approval). */
  attempts: number;
  /** The action's own result when it returned one (evidence, before/after, clocks). */
  result?: ActionResult;
}

export interface WorkflowOutcome {
  status: 'succeeded' | 'failed';
  steps: StepOutcome[];
  escalated: boolean;
}

export interface EscalationSummary {
  incidentId: string;
  playbook: string;
  subject: string;
  failed: StepOutcome[];
}

export interface RunnerDeps {
  runAction(input: StepInput): Promise<ActionResult>;
  /** Blocks until a person decides. Without it, a step that needs approval times out (and escalates). */
  requestApproval?(req: ApprovalRequest): Promise<ApprovalAnswer>;
  escalate?(summary: EscalationSummary): Promise<void>;
  onStepEvent?(e: StepEvent): void;
  /** Time compression for Waits (and, unless retryScale is given, Retry pauses): 60 = a minute per second. */
  speed?: number;
  /** Multiplies the Retry pauses the definition asks for; 0 retries at once. Default 1 / speed. */
  retryScale?: number;
  /** Source of jitter; injectable for deterministic tests. */
  random?: () => number;
}



/** What the interpreter hands a bound Task: the state's Parameters, evaluated. */
const LambdaRequest = z.object({ FunctionName: z.string(), Payload: z.unknown() });
const HttpRequest = z.object({ ApiEndpoint: z.string(), RequestBody: z.unknown() });
const ApprovalPayload = z.object({
  incidentId: z.string(),
  stepId: z.string(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  timeoutSeconds: z.number(),
});

const OutcomeRecord = z.object({
  status: z.enum(['succeeded', 'skipped', 'failed']),
  reason: z.string().optional(),
  errorClass: z.string().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});
const StepRecord = z.object({
  stepId: z.string(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  outcome: z.looseObject(OutcomeRecord.shape),
});
const WorkflowOutput = z.object({
  incident: z.object({ id: z.string(), playbook: z.string() }).loose(),
  results: z.record(z.string(), z.record(z.string(), z.array(StepRecord))),
  escalated: z.boolean(),
});

/** Per-step bookkeeping: times, attempts, and the Retry state the bound Task mirrors. */
interface Track {
  step: StepInput;
  phase: Phase;
  startedAt?: string;
  finishedAt?: string;
  attempts: number;
  retries: number[];
  pauseMs: number;
  result?: ActionResult;
  /** As the bound Tasks saw the step end; the execution's record, when there is one, wins. */
  final?: { status: StepStatus; reason?: string; errorClass?: ErrorClass };
}

class Execution {
  readonly tracks = new Map<string, Track>();
  readonly retryScale: number;

  constructor(
    readonly input: WorkflowInput,
    readonly deps: RunnerDeps,
  ) {
    const speed = deps.speed ?? 1;
    if (!(speed > 0)) throw new WorkflowError(`speed must be above 0 (got ${speed})`);
    this.retryScale = deps.retryScale ?? 1 / speed;
    for (const phase of ['contain', 'preserve', 'notify'] as const) {
      for (const steps of Object.values(input.phases[phase])) {
        for (const step of steps) {
          if (this.tracks.has(step.stepId)) throw new WorkflowError(`step ${step.stepId} appears twice in the workflow input`);
          this.tracks.set(step.stepId, { step, phase, attempts: 0, retries: [], pauseMs: 0 });
        }
      }
    }
  }

  private track(stepId: string): Track {
    const t = this.tracks.get(stepId);
    if (!t) throw new WorkflowError(`the workflow ran step ${stepId}, which is not in its input`);
    return t;
  }

  private emit(t: Track, kind: StepEvent['kind'], extra: Pick<StepEvent, 'status' | 'reason' | 'errorClass'> = {}): void {
    const { step } = t;
    this.deps.onStepEvent?.({ kind, stepId: step.stepId, action: step.action, target: step.target, phase: t.phase, at: now(), attempt: t.attempts, ...extra });
  }

  private start(t: Track): void {
    if (t.startedAt !== undefined) return;
    t.startedAt = now();
    this.emit(t, 'started');
  }

  private finish(t: Track, status: StepStatus, extra: Pick<StepEvent, 'reason' | 'errorClass'> = {}): void {
    t.finishedAt = now();
    t.final = { status, ...extra };
    this.emit(t, 'finished', { status, ...extra });
  }

  /** The action Task: one call of the action, with the Retry pause of the previous failure first. */
  action(state: TaskState, shape: 'lambda' | 'http'): Handler {
    return async (raw): Promise<JsonValue> => {
      const step = (shape === 'lambda' ? LambdaRequest.parse(raw).Payload : HttpRequest.parse(raw).RequestBody) as StepInput;
      const t = this.track(step.stepId);
      this.start(t);
      await sleep(t.pauseMs);
      t.attempts += 1;
      let result: ActionResult;
      try {
        result = await this.deps.runAction(step);
      } catch (e) {
        // The action runner reports failures as results; anything thrown is a bug or an outage.
        result = { status: 'failed', errorClass: 'Unknown', message: e instanceof Error ? e.message : String(e) };
      }
      t.result = result;
      if (result.status !== 'failed') {
        this.finish(t, result.status, result.status === 'skipped' ? { reason: result.reason } : {});
        return shape === 'lambda'
          ? { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: toJson(result) }
          : { StatusCode: 200, StatusText: 'OK', Headers: {}, ResponseBody: toJson(result) };
      }
      const name = `Cordon.${result.errorClass}`;
      const i = matchRetrier(state.Retry, name);
      const retrier: Retrier | undefined = state.Retry?.[i];
      const done = t.retries[i] ?? 0;
      if (retrier && done < retrier.MaxAttempts) {
        t.retries[i] = done + 1;
        t.pauseMs = backoffMs(retrier, done, this.deps.random) * this.retryScale;
        this.emit(t, 'retrying', { errorClass: result.errorClass, reason: result.message });
      } else if (result.errorClass !== 'ApprovalRequired' || step.approvalDecision !== undefined) {
        // ApprovalRequired is not an end: the workflow asks a person (workflows/compile.ts) and runs the step again.
        this.finish(t, 'failed', { errorClass: result.errorClass, reason: result.message });
      }
      throw new TaskError(name, result.message);
    };
  }

  /** The `.waitForTaskToken` Task: blocks on the person's decision and returns what SendTaskSuccess would. */
  approval(): Handler {
    return async (raw): Promise<JsonValue> => {
      const req = ApprovalPayload.parse(LambdaRequest.parse(raw).Payload);
      const t = this.track(req.stepId);
      this.start(t);
      this.emit(t, 'awaiting-approval');
      const answer: ApprovalAnswer = this.deps.requestApproval ? await this.deps.requestApproval(req) : 'timeout';
      if (answer === 'approved') return { approved: true };
      if (answer === 'timeout') {
        this.finish(t, 'failed', { errorClass: 'Timeout', reason: 'no approval decision before the timeout' });
        throw new TaskError('States.Timeout', 'no approval decision before the timeout');
      }
      this.finish(t, 'skipped', { reason: `rejected: ${answer.rejected}` });
      return { approved: false, reason: answer.rejected };
    };
  }

  escalation(): Handler {
    return async (raw) => {
      const subject = z.object({ Subject: z.string() }).parse(raw).Subject;
      const failed = this.outcomes(undefined).filter((s) => s.status === 'failed');
      await this.deps.escalate?.({ incidentId: this.input.incident.id, playbook: this.input.incident.playbook, subject, failed });
      return { MessageId: `local-${this.input.incident.id}` };
    };
  }

  /** Step outcomes in input order; the execution's records (when given) are authoritative for status. */
  outcomes(records: Map<string, z.infer<typeof StepRecord>> | undefined): StepOutcome[] {
    return [...this.tracks.values()].map((t) => outcomeOf(t, records?.get(t.step.stepId)));
  }
}

function outcomeOf(t: Track, record: z.infer<typeof StepRecord> | undefined): StepOutcome {
  const { step } = t;
  const base = {
    stepId: step.stepId,
    action: step.action,
    target: step.target,
    phase: t.phase,
    startedAt: t.startedAt ?? now(),
    finishedAt: t.finishedAt ?? t.startedAt ?? now(),
    attempts: t.attempts,
  };
  const withResult = t.result ? { result: t.result } : {};
  if (!record) {
    return t.final
      ? { ...base, ...t.final, ...withResult }
      : { ...base, status: 'failed', errorClass: 'Unknown', reason: 'the workflow produced no record for this step', ...withResult };
  }
  const o = record.outcome;
  if (o.status === 'failed') {
    const errorClass = o.error !== undefined ? errorClassOf(o.error) : 'Unknown';
    return { ...base, status: 'failed', errorClass, reason: causeMessage(o.message ?? o.error ?? 'failed'), ...withResult };
  }
  if (o.status === 'skipped') return { ...base, status: 'skipped', reason: o.reason ?? 'skipped', ...withResult };
  return { ...base, status: 'succeeded', ...withResult };
}

/** Every (phase, action key) the definition has a Map for: input outside these would silently not run. */
function mappedGroups(definition: StateMachine): Set<string> {
  const groups = new Set<string>();
  for (const [, state] of allStates(definition)) if (state.Type === 'Map') groups.add(state.ItemsPath);
  return groups;
}

function bind(definition: StateMachine, exec: Execution): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const fn = state.Parameters['FunctionName'];
    if (state.Resource === RESOURCES.lambdaWaitForToken && fn === PLACEHOLDERS.approval) handlers[name] = exec.approval();
    else if (state.Resource === RESOURCES.http) handlers[name] = exec.action(state, 'http');
    else if (state.Resource === RESOURCES.lambda && fn === PLACEHOLDERS.actionRunner) handlers[name] = exec.action(state, 'lambda');
    else if (state.Resource === RESOURCES.sns) handlers[name] = exec.escalation();
    else throw new WorkflowError(`Task state '${name}' (${state.Resource}) has no local binding`);
  }
  return handlers;
}

export async function runWorkflow(definition: StateMachine, input: WorkflowInput, deps: RunnerDeps): Promise<WorkflowOutcome> {
  const exec = new Execution(input, deps);
  const groups = mappedGroups(definition);
  for (const phase of ['contain', 'preserve', 'notify'] as const) {
    for (const [key, steps] of Object.entries(input.phases[phase])) {
      if (steps.length > 0 && !groups.has(`$.phases.${phase}.${key}`)) {
        throw new WorkflowError(`the workflow has no ${phase} step for '${key}': compile the playbook again`);
      }
    }
  }
  const output = WorkflowOutput.parse(
    await execute(interpreter(definition), input, {
      taskResourceLocalHandlers: bind(definition, exec),
      waitTimeOverrides: {},
      retryIntervalOverrides: noInterpreterRetryPauses(definition),
    }),
  );
  const records = new Map<string, z.infer<typeof StepRecord>>();
  for (const phase of Object.values(output.results)) for (const list of Object.values(phase)) for (const r of list) records.set(r.stepId, r);
  const steps = exec.outcomes(records);
  return { status: steps.some((s) => s.status === 'failed') ? 'failed' : 'succeeded', steps, escalated: output.escalated };
}
