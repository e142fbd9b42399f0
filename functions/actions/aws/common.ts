import { classifyAwsError } from '../../adapters/aws/errors.js';
import type { ActionInput, ActionResult } from '../../core/actions/types.js';

/** Cloud errors become a typed `failed` result, never a throw: the ASL Retry/Catch match on the class. */
export function failedFrom(e: unknown): ActionResult {
  const { errorClass, message } = classifyAwsError(e);
  return { status: 'failed', errorClass, message };
}

/** Runs an action body, turning any AWS/SDK error into a `failed` result. */
export async function guarded(body: () => Promise<ActionResult>): Promise<ActionResult> {
  try {
    return await body();
  } catch (e) {
    return failedFrom(e);
  }
}

export function alreadyDone(summary: string, before?: unknown): ActionResult {
  return { status: 'skipped', reason: 'already-done', summary, ...(before === undefined ? {} : { before }) };
}

/** The target has nothing this action changes (an instance in no Auto Scaling group): done, nothing to do (DESIGN §3). */
export function notApplicable(summary: string, before?: unknown): ActionResult {
  return { status: 'skipped', reason: 'not-applicable', summary, ...(before === undefined ? {} : { before }) };
}

/** Tags every resource Cordon touches carries, so a responder can find them from the console. */
export function incidentTags(input: ActionInput): Record<string, string> {
  return { 'cordon:incident': input.incidentId, 'cordon:finding': input.finding.id.slice(0, 256) };
}

export function toTagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * True when the error carries the AWS error code. SDK v3 names modeled exceptions after the
 * model (`NoSuchEntityException`) and keeps the wire code in `Code` (`NoSuchEntity`).
 */
export function isAwsError(e: unknown, code: string): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { name?: unknown; Code?: unknown };
  return err.Code === code || err.name === code;
}
