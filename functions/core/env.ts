import * as z from 'zod';
import { firstIssue } from './zod-issue.js';

/**
 * The one way Cordon reads its environment (CLI settings, the Lambdas, the Function App): validate
 * the variables a schema names, and report the first bad one as `fail(variable, problem)` so each
 * host throws its own typed error naming the variable. `emptyIsUnset` treats `VAR=` as absent (what
 * a shell user means); deployed hosts stay strict, where an empty value is a deployment bug.
 */
export function readEnv<S extends z.ZodObject>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  fail: (variable: string, problem: string) => Error,
  options: { emptyIsUnset?: boolean } = {},
): z.infer<S> {
  const values = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, options.emptyIsUnset && env[k] === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw fail(field, message);
  }
  return parsed.data;
}

/** `CORDON_STATE_MACHINES`: the JSON map playbook id → state machine ARN that the stack outputs. */
export const STATE_MACHINES_PROBLEM = 'expected a JSON object of playbook id → state machine ARN';

const StateMachineMapObject = z.record(z.string(), z.string().startsWith('arn:'));

/** The state machine map, parsed the one way wherever it is read; undefined when the text is not such a map. */
export function parseStateMachineMap(text: string): Record<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = StateMachineMapObject.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The same, as a field of an environment schema. */
export const StateMachineMap = z.string().transform((text, ctx) => {
  const map = parseStateMachineMap(text);
  if (map === undefined) {
    ctx.addIssue({ code: 'custom', message: STATE_MACHINES_PROBLEM });
    return z.NEVER;
  }
  return map;
});
