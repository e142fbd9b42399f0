import type { Retrier } from './asl.js';

/**
 * The ASL Retry rules the local runner needs to reproduce: which retrier an error matches, whether
 * it has attempts left, and how long the real service would pause (exponential backoff, capped,
 * with full jitter). See "Retrying after an error" in the Step Functions developer guide.
 */

/** Index of the first retrier whose ErrorEquals names the error (or States.ALL / States.TaskFailed); -1 if none. */
export function matchRetrier(retry: readonly Retrier[] | undefined, errorName: string): number {
  if (!retry) return -1;
  const timeout = errorName === 'States.Timeout';
  return retry.findIndex((r) =>
    r.ErrorEquals.some((e) => e === errorName || e === 'States.ALL' || (e === 'States.TaskFailed' && !timeout)),
  );
}

/** Pause before retry number `retriesSoFar + 1` of this retrier, in milliseconds. */
export function backoffMs(retrier: Retrier, retriesSoFar: number, random: () => number = Math.random): number {
  const seconds = Math.min(retrier.IntervalSeconds * retrier.BackoffRate ** retriesSoFar, retrier.MaxDelaySeconds);
  const ms = seconds * 1000;
  return retrier.JitterStrategy === 'FULL' ? random() * ms : ms;
}
