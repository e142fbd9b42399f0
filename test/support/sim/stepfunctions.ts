import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse, SimService } from '../../../functions/sim/server.js';
import { jsonResponse } from '../../../functions/sim/aws/wire.js';

/**
 * Step Functions on the simulated estate: the AWS JSON 1.0 protocol
 * (`X-Amz-Target: AWSStepFunctions.<Op>`) for what Cordon's handlers and `run --cloud` call —
 * StartExecution, DescribeExecution, GetExecutionHistory, SendTaskSuccess, SendTaskFailure,
 * SendTaskHeartbeat. The estate does not interpret ASL: an execution is a record whose states
 * a test (or a local runner) reports through the state's methods, and which the API then
 * answers exactly as Step Functions would.
 *
 * Name uniqueness follows StartExecution's documented rules for Standard workflows: the same
 * name with identical input while the first execution is open returns the original execution
 * (idempotent); a different input, or any input once the execution has closed, is refused with
 * `ExecutionAlreadyExists`.
 */

const TARGET_PREFIX = 'AWSStepFunctions.';
/** Characters a Step Functions execution name must not contain (API reference, StartExecution `name`). */
const BAD_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const hasControl = (name: string) => [...name].some((c) => c.charCodeAt(0) <= 0x1f || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch seconds, as the JSON protocol carries timestamps. */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface SimExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

export interface TaskOutcome {
  token: string;
  executionArn: string;
  stateName: string;
  status: 'waiting' | 'succeeded' | 'failed';
  output?: unknown;
  error?: string;
  cause?: string;
  heartbeats: number;
}

class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The Step Functions model of the estate, with the hooks a test or local runner uses to move executions on. */
export class StepFunctionsState {
  readonly executions = new Map<string, SimExecution>();
  readonly tasks = new Map<string, TaskOutcome>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Every execution of one state machine, in start order. */
  executionsOf(stateMachineArn: string): SimExecution[] {
    return [...this.executions.values()].filter((e) => e.stateMachineArn === stateMachineArn);
  }

  start(stateMachineArn: string, name: string | undefined, input: string): { execution: SimExecution; created: boolean } {
    const machine = /^arn:aws[a-z-]*:states:([^:]+):(\d{12}):stateMachine:([^:]+)$/.exec(stateMachineArn);
    if (!machine) throw new SfnError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
    const executionName = name ?? randomUUID();
    if (executionName.length < 1 || executionName.length > 80 || BAD_NAME.test(executionName) || hasControl(executionName)) {
      throw new SfnError('InvalidName', `Invalid Name: '${executionName}'`);
    }
    try {
      JSON.parse(input);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
    }
    const executionArn = `arn:aws:states:${machine[1]}:${machine[2]}:execution:${machine[3]}:${executionName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { execution: existing, created: false };
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: SimExecution = { executionArn, stateMachineArn, name: executionName, input, status: 'RUNNING', startDate: this.seconds(), history: [] };
    this.executions.set(executionArn, execution);
    this.event(execution, 'ExecutionStarted', { executionStartedEventDetails: { input, roleArn: `arn:aws:iam::${machine[2]}:role/cordon-sim-states` } });
    return { execution, created: true };
  }

  /** A state ran: entered with `input`, exited with `output` (what `GetExecutionHistory` then reports). */
  recordState(executionArn: string, stateName: string, input: unknown, output: unknown): void {
    const execution = this.open(executionArn);
    this.event(execution, 'TaskStateEntered', { stateEnteredEventDetails: { name: stateName, input: JSON.stringify(input) } });
    this.event(execution, 'TaskStateExited', { stateExitedEventDetails: { name: stateName, output: JSON.stringify(output) } });
  }

  /** A `.waitForTaskToken` task starts waiting; the token is what SendTaskSuccess/Failure must present. */
  waitForToken(executionArn: string, stateName: string): string {
    const execution = this.open(executionArn);
    const token = Buffer.from(`${executionArn}#${stateName}#${randomUUID()}`).toString('base64url');
    this.tasks.set(token, { token, executionArn, stateName, status: 'waiting', heartbeats: 0 });
    this.event(execution, 'TaskStateEntered', { stateEnteredEventDetails: { name: stateName, input: '{}' } });
    return token;
  }

  succeed(executionArn: string, output: unknown): void {
    const execution = this.open(executionArn);
    execution.status = 'SUCCEEDED';
    execution.output = JSON.stringify(output);
    execution.stopDate = this.seconds();
    this.event(execution, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: execution.output } });
  }

  fail(executionArn: string, error: string, cause: string): void {
    const execution = this.open(executionArn);
    Object.assign(execution, { status: 'FAILED', error, cause, stopDate: this.seconds() });
    this.event(execution, 'ExecutionFailed', { executionFailedEventDetails: { error, cause } });
  }

  private open(executionArn: string): SimExecution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  private seconds(): number {
    return this.now().getTime() / 1000;
  }

  private event(execution: SimExecution, type: string, details: Record<string, unknown>): void {
    const id = execution.history.length + 1;
    execution.history.push({ id, previousEventId: id - 1, timestamp: this.seconds(), type, ...details });
  }

  // ---------- the API ----------

  dispatch(op: string, input: Record<string, unknown>): unknown {
    switch (op) {
      case 'StartExecution': {
        const { execution } = this.start(str(input, 'stateMachineArn'), optStr(input, 'name'), optStr(input, 'input') ?? '{}');
        return { executionArn: execution.executionArn, startDate: execution.startDate };
      }
      case 'DescribeExecution': {
        const e = this.open(str(input, 'executionArn'));
        const { history: _history, ...described } = e;
        return described;
      }
      case 'GetExecutionHistory':
        return this.history(input);
      case 'SendTaskSuccess': {
        const task = this.task(str(input, 'taskToken'));
        let output: unknown;
        try {
          output = JSON.parse(str(input, 'output'));
        } catch {
          throw new SfnError('InvalidOutput', 'Invalid Output: not valid JSON');
        }
        Object.assign(task, { status: 'succeeded', output });
        this.event(this.open(task.executionArn), 'TaskSucceeded', { taskSucceededEventDetails: { resource: 'invoke.waitForTaskToken', resourceType: 'lambda', output: JSON.stringify(output) } });
        return {};
      }
      case 'SendTaskFailure': {
        const task = this.task(str(input, 'taskToken'));
        Object.assign(task, { status: 'failed', error: optStr(input, 'error') ?? '', cause: optStr(input, 'cause') ?? '' });
        this.event(this.open(task.executionArn), 'TaskFailed', { taskFailedEventDetails: { resource: 'invoke.waitForTaskToken', resourceType: 'lambda', error: task.error, cause: task.cause } });
        return {};
      }
      case 'SendTaskHeartbeat':
        this.task(str(input, 'taskToken')).heartbeats += 1;
        return {};
      default:
        throw new SfnError('UnknownOperationException', `simulated Step Functions does not implement ${op}`);
    }
  }

  /** A token is answered once: a second answer is refused as Step Functions refuses it. */
  private task(token: string): TaskOutcome {
    const task = this.tasks.get(token);
    if (!task) throw new SfnError('InvalidToken', 'Invalid Token');
    if (task.status !== 'waiting' || this.executions.get(task.executionArn)?.status !== 'RUNNING') throw new SfnError('TaskTimedOut', 'Task Timed Out');
    return task;
  }

  private history(input: Record<string, unknown>): unknown {
    const events = [...this.open(str(input, 'executionArn')).history];
    if (input.reverseOrder === true) events.reverse();
    const max = typeof input.maxResults === 'number' && input.maxResults > 0 ? Math.min(input.maxResults, 1000) : 100;
    const from = typeof input.nextToken === 'string' ? Number(Buffer.from(input.nextToken, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(from) || from < 0) throw new SfnError('InvalidToken', 'Invalid nextToken');
    const page = events.slice(from, from + max);
    const next = from + max < events.length ? Buffer.from(String(from + max)).toString('base64url') : undefined;
    return next ? { events: page, nextToken: next } : { events: page };
  }
}

function str(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== 'string') throw new SfnError('ValidationException', `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);
  return v;
}

function optStr(input: Record<string, unknown>, key: string): string | undefined {
  return typeof input[key] === 'string' ? input[key] : undefined;
}

const json = (status: number, body: unknown): SimResponse => jsonResponse(status, body, { 'content-type': 'application/x-amz-json-1.0' });

class StepFunctionsSimService implements SimService {
  readonly name = 'stepfunctions';
  constructor(readonly state: StepFunctionsState) {}

  identify(req: SimRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return undefined;
    return `states:${target.slice(TARGET_PREFIX.length)}`;
  }

  handle(req: SimRequest, operation: string): SimResponse {
    try {
      const input = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
      return json(200, this.state.dispatch(operation.slice('states:'.length), input));
    } catch (e) {
      if (e instanceof SfnError) return json(400, { __type: e.type, message: e.message });
      if (e instanceof SyntaxError) return json(400, { __type: 'SerializationException', message: e.message });
      throw e;
    }
  }

  throttled(): SimResponse {
    return json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
  }

  internalError(): SimResponse {
    return json(500, { __type: 'InternalServerError', message: 'Internal server error' });
  }
}

/** The Step Functions service of the estate over `state` (a fresh one when omitted; reach it as `.state`). */
export function createStepFunctionsSimService(state: StepFunctionsState = new StepFunctionsState()): SimService & { readonly state: StepFunctionsState } {
  return new StepFunctionsSimService(state);
}
