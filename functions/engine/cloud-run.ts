import { executionArnFor } from '../adapters/aws/start-execution.js';
import { DescribeExecutionCommand, ExecutionAlreadyExists, GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';

/**
 * `cordon run … --execute --cloud`: start the deployed state machine and follow it to the end,
 * reporting each state as it finishes (read from the execution history, the same record the
 * console shows).
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** One state that finished (exited, or failed inside a task). */
export interface StateFinished {
  state: string;
  /** `exited` for a state that completed; `failed` for a task that raised (it may still be retried or caught). */
  outcome: 'exited' | 'failed';
  at: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface StartAndFollowOptions {
  sfn: SFNClient;
  stateMachineArn: string;
  input: unknown;
  /** Execution name; deterministic names make a repeated start refer to the same execution. */
  name: string;
  onState(e: StateFinished): void;
  /** Pause between history polls, ms (default 1000). */
  pollMs?: number;
  /** Injected so tests need no real waiting. */
  sleep?: (ms: number) => Promise<void>;
}

export interface FollowResult {
  executionArn: string;
  status: ExecutionStatus;
  output: unknown;
  /** True when an execution of that name already existed and was followed instead of started. */
  existing: boolean;
  error?: string;
  cause?: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The execution ARN Step Functions gives a named execution of a state machine. */
/** `entered` is the state most recently entered: task failures name no state themselves. */
function finished(e: HistoryEvent, entered: string): StateFinished | undefined {
  const at = (e.timestamp ?? new Date(0)).toISOString();
  if (e.stateExitedEventDetails?.name) {
    return { state: e.stateExitedEventDetails.name, outcome: 'exited', at, output: parseJson(e.stateExitedEventDetails.output) };
  }
  const failure = e.taskFailedEventDetails ?? e.lambdaFunctionFailedEventDetails;
  if (failure) {
    const out: StateFinished = { state: entered, outcome: 'failed', at };
    if (failure.error !== undefined) out.error = failure.error;
    if (failure.cause !== undefined) out.cause = failure.cause;
    return out;
  }
  return undefined;
}

/**
 * StartExecution (an existing execution of the same name is followed, not an error), then poll
 * GetExecutionHistory — only the events after the last one seen — until the execution closes.
 */
export async function startAndFollow(options: StartAndFollowOptions): Promise<FollowResult> {
  const { sfn, stateMachineArn, name } = options;
  const sleep = options.sleep ?? defaultSleep;
  let executionArn: string;
  let existing = false;
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(options.input) }));
    executionArn = started.executionArn ?? executionArnFor(stateMachineArn, name);
  } catch (e) {
    if (!(e instanceof ExecutionAlreadyExists)) throw e;
    executionArn = executionArnFor(stateMachineArn, name);
    existing = true;
  }

  let seen = 0;
  let entered = '';
  for (;;) {
    // Read the status first: events written before a closed status are then all in the history read next.
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = (described.status ?? 'RUNNING') as ExecutionStatus;
    let nextToken: string | undefined;
    let index = 0;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
      for (const event of page.events ?? []) {
        index += 1;
        if (index <= seen) continue;
        seen = index;
        if (event.stateEnteredEventDetails?.name) entered = event.stateEnteredEventDetails.name;
        const state = finished(event, entered);
        if (state) options.onState(state);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
      const result: FollowResult = { executionArn, status, output: parseJson(described.output), existing };
      if (described.error !== undefined) result.error = described.error;
      if (described.cause !== undefined) result.cause = described.cause;
      return result;
    }
    await sleep(options.pollMs ?? 1000);
  }
}
