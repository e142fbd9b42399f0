import { AsyncLocalStorage } from 'node:async_hooks';

export { STEP_HEADER } from '../core/correlation.js';

/**
 * The step an SDK call belongs to, carried through async calls so that one set of clients can
 * serve many concurrent steps (Parallel branches) and still tag each request with its own step.
 */
const current = new AsyncLocalStorage<string>();

export function withStep<T>(stepId: string, work: () => T): T {
  return current.run(stepId, work);
}

/** The explicit step of a client, else the step of the code running now. */
export function stepIdNow(explicit?: string): string | undefined {
  return explicit ?? current.getStore();
}
