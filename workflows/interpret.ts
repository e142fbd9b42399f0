import { StateMachine as Interpreter } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { allStates } from './asl.js';
import type { JsonValue, StateMachine } from './asl.js';
import { WorkflowError } from './errors.js';

/** The thin layer over aws-local-stepfunctions that both local runners share. */

/** A bound Task: receives the state's evaluated Parameters, returns what the integration would. */
export type Handler = (input: JsonValue) => Promise<JsonValue>;

export const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
export const now = () => new Date().toISOString();

export function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** Retry pauses are taken by the bound Tasks themselves, scaled: the interpreter's are set to 0. */
export function noInterpreterRetryPauses(definition: StateMachine): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const [name, state] of allStates(definition)) if ('Retry' in state && state.Retry) overrides[name] = 0;
  return overrides;
}

const interpreters = new Map<string, Interpreter>();

/**
 * One interpreter per definition object: constructing one validates the whole definition (hundreds
 * of ms), and its runs are independent of each other, so the tabletop reuses it across incidents.
 */
export function interpreter(definition: StateMachine): Interpreter {
  // Keyed by content, so a definition compiled again (or read from disk again) is not re-validated.
  const key = JSON.stringify(definition);
  let machine = interpreters.get(key);
  if (!machine) {
    // The interpreter validates (and annotates) what it is given: hand it a copy.
    machine = new Interpreter(structuredClone(definition) as unknown as StateMachineDefinition);
    interpreters.set(key, machine);
  }
  return machine;
}

export interface Overrides {
  taskResourceLocalHandlers: Record<string, Handler>;
  waitTimeOverrides: Record<string, number>;
  retryIntervalOverrides: Record<string, number>;
}

/** Runs to the end; a failed execution (not a failed step: those are caught) is a WorkflowError. */
export async function execute(machine: Interpreter, input: unknown, overrides: Overrides): Promise<unknown> {
  const run = machine.run(toJson(input), {
    overrides,
    // `$$.Task.Token` must resolve for the approval Task's Parameters; the bound handler ignores it.
    context: { Task: { Token: 'local-task-token' } },
  });
  try {
    return await run.result;
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
    const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    throw new WorkflowError(`the workflow failed: ${message}`);
  }
}
