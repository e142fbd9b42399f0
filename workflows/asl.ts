/**
 * The subset of the Amazon States Language (JSONPath query language) the compiler emits,
 * typed so a malformed state is a compile error rather than a deploy-time one.
 * Spec: https://states-language.net/spec.html and the AWS Step Functions developer guide.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds: number;
  JitterStrategy: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  ResultPath: string;
  Next: string;
}

/** `Next` or `End: true`, never both. */
type Transition = { Next: string; End?: never } | { End: true; Next?: never };

interface Common {
  Comment?: string;
}

export type TaskState = Common &
  Transition & {
    Type: 'Task';
    Resource: string;
    Parameters: JsonObject;
    ResultSelector?: JsonObject;
    ResultPath: string | null;
    TimeoutSeconds?: number;
    HeartbeatSeconds?: number;
    Retry?: Retrier[];
    Catch?: Catcher[];
  };

export type PassState = Common &
  Transition & {
    Type: 'Pass';
    Parameters?: JsonObject;
    Result?: JsonValue;
    ResultPath?: string | null;
    OutputPath?: string;
  };

export type ChoiceRule = { Next: string } & (
  | { Variable: string; IsPresent: boolean }
  | { Variable: string; BooleanEquals: boolean }
  | { Variable: string; StringMatches: string }
);

export interface ChoiceState extends Common {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default: string;
}

export type MapState = Common &
  Transition & {
    Type: 'Map';
    ItemsPath: string;
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }; StartAt: string; States: Record<string, State> };
    MaxConcurrency: number;
    ResultPath: string;
  };

export type ParallelState = Common &
  Transition & {
    Type: 'Parallel';
    Branches: Branch[];
    ResultPath: string;
  };

export type WaitState = Common & Transition & { Type: 'Wait'; TimestampPath: string };

export interface SucceedState extends Common {
  Type: 'Succeed';
}

export type State = TaskState | PassState | ChoiceState | MapState | ParallelState | WaitState | SucceedState;

export interface Branch {
  StartAt: string;
  States: Record<string, State>;
}

export interface StateMachine extends Branch {
  Comment: string;
  TimeoutSeconds?: number;
}

/** Every state of a machine, nested Parallel branches and Map processors included, with its name. */
export function* allStates(machine: Branch): Generator<[string, State]> {
  for (const [name, state] of Object.entries(machine.States)) {
    yield [name, state];
    if (state.Type === 'Parallel') for (const branch of state.Branches) yield* allStates(branch);
    if (state.Type === 'Map') yield* allStates(state.ItemProcessor);
  }
}
