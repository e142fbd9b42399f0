import { ERROR_CLASSES } from '../functions/core/actions/types.js';
import type { ErrorClass } from '../functions/core/actions/types.js';

/** A failure the local runner hands the interpreter; `name` is what Retry and Catch match on. */
export class TaskError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** The workflow could not run (bad definition, input the definition cannot handle, an unbound Task). */
export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';
}

const CLASSES: ReadonlySet<string> = new Set(ERROR_CLASSES);

/**
 * A Step Functions error name → Cordon's error class: `Cordon.<class>` from the action runner,
 * and the names the service itself raises for Lambda and HTTPS tasks.
 */
export function errorClassOf(errorName: string): ErrorClass {
  const [head, tail] = [errorName.slice(0, errorName.indexOf('.')), errorName.slice(errorName.indexOf('.') + 1)];
  if (head === 'Cordon' && CLASSES.has(tail)) return tail as ErrorClass;
  if (errorName === 'States.Timeout' || errorName === 'States.HeartbeatTimeout') return 'Timeout';
  if (errorName === 'Lambda.TooManyRequestsException' || errorName === 'States.Http.StatusCode.429') return 'Throttled';
  if (/^States\.Http\.StatusCode\.5\d\d$/.test(errorName) || head === 'Lambda') return 'Transient';
  if (errorName === 'States.Http.StatusCode.404') return 'NotFound';
  if (errorName === 'States.Http.StatusCode.403' || errorName === 'States.Http.StatusCode.401') return 'AccessDenied';
  return 'Unknown';
}

/** A Lambda error's Cause is a JSON document with `errorMessage`; anything else is the message itself. */
export function causeMessage(cause: string): string {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed && typeof parsed.errorMessage === 'string') {
      return parsed.errorMessage;
    }
  } catch {
    // not JSON: the cause is already the message
  }
  return cause;
}
