import * as z from 'zod';
import { allStates } from './asl.js';
import type { JsonValue, StateMachine } from './asl.js';
import { PLACEHOLDERS, RESOURCES } from './compile.js';
import { TaskError, WorkflowError } from './errors.js';
import type { ClockWatchInput } from './input.js';
import { execute, interpreter, noInterpreterRetryPauses, now, toJson } from './interpret.js';
import type { Handler } from './interpret.js';

/**
 * Runs the clock-watch machine locally. Its Waits sleep until real timestamps (hours, days); here
 * each Wait lasts the time left to its timestamp divided by `speed`, measured when the run starts.
 */

export type ClockTaskKind = 'reminder' | 'overdue-check';

export interface ClockWatchDeps {
  remind(clock: ClockWatchInput): Promise<void>;
  overdueCheck(clock: ClockWatchInput): Promise<void>;
  /** 3600 = an hour of clock time per second. Default 1 (real time). */
  speed?: number;
  /** Epoch ms; injectable so tests need no real clock. */
  now?: () => number;
}

export interface ClockWatchOutcome {
  /** When each task ran (ISO-8601 UTC, wall time), or the error it ended with. */
  tasks: { kind: ClockTaskKind; at: string; error?: string }[];
}

const ClockRequest = z.object({
  FunctionName: z.literal(PLACEHOLDERS.clock),
  Payload: z.object({ kind: z.enum(['reminder', 'overdue-check']), clock: z.unknown() }),
});

export async function runClockWatch(definition: StateMachine, input: ClockWatchInput, deps: ClockWatchDeps): Promise<ClockWatchOutcome> {
  const speed = deps.speed ?? 1;
  if (!(speed > 0)) throw new WorkflowError(`speed must be above 0 (got ${speed})`);
  const start = (deps.now ?? Date.now)();
  const remindAt = Date.parse(input.remindAt);
  const deadline = Date.parse(input.deadline);
  if (Number.isNaN(remindAt) || Number.isNaN(deadline)) throw new WorkflowError('remindAt and deadline must be ISO-8601 timestamps');
  const waits: Record<string, number> = {};
  const handlers: Record<string, Handler> = {};
  const outcome: ClockWatchOutcome = { tasks: [] };

  for (const [name, state] of allStates(definition)) {
    if (state.Type === 'Wait') {
      // A Wait for a timestamp already past ends at once, as in Step Functions.
      const until = state.TimestampPath === '$.remindAt' ? remindAt : deadline;
      const from = state.TimestampPath === '$.remindAt' ? start : Math.max(start, remindAt);
      waits[name] = Math.max(0, until - from) / speed;
    }
    if (state.Type !== 'Task') continue;
    if (state.Resource !== RESOURCES.lambda || state.Parameters['FunctionName'] !== PLACEHOLDERS.clock) {
      throw new WorkflowError(`Task state '${name}' (${state.Resource}) has no local binding`);
    }
    handlers[name] = async (raw): Promise<JsonValue> => {
      const { kind } = ClockRequest.parse(raw).Payload;
      const entry: ClockWatchOutcome['tasks'][number] = { kind, at: now() };
      outcome.tasks.push(entry);
      try {
        await (kind === 'reminder' ? deps.remind(input) : deps.overdueCheck(input));
      } catch (e) {
        entry.error = e instanceof Error ? e.message : String(e);
        throw new TaskError('Cordon.Unknown', entry.error);
      }
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: toJson({ kind, done: true }) };
    };
  }
  await execute(interpreter(definition), input, {
    taskResourceLocalHandlers: handlers,
    waitTimeOverrides: waits,
    retryIntervalOverrides: noInterpreterRetryPauses(definition),
  });
  return outcome;
}
