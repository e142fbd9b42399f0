import { ACTION_CATALOG } from '../core/actions/catalog.js';
import { isResourceTarget } from '../core/model.js';
import { judgeLiveTags, type LiveTags } from '../core/trust/live-check.js';
import type { StepInput } from '../../workflows/input.js';
import type { LiveSafetyCheck } from './run-step.js';

/** Reads a step target's tags from its cloud (adapters/aws/live-tags.ts, adapters/azure/live-tags.ts). */
export type LiveTagReader = (input: StepInput) => Promise<LiveTags>;

/**
 * The live tag check every host passes to the step engine: read the target's tags now, then
 * core/trust/live-check.ts decides. A reader that throws is a tag set nobody could read: fail closed.
 * An exemption is a skip; a wait is `ApprovalRequired`, which the workflow routes to a person
 * (workflows/compile.ts) and which is recorded, like any failure, so a later attempt claims the step again.
 */
export function liveTagCheck(read: LiveTagReader): LiveSafetyCheck {
  return async (input) => {
    if (!isResourceTarget(input.target)) return undefined;
    let live: LiveTags;
    try {
      live = await read(input);
    } catch (e) {
      live = { kind: 'unreadable', problem: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
    const verdict = judgeLiveTags({ phase: ACTION_CATALOG[input.action].phase, approved: input.approvalDecision?.approved === true }, live);
    if (verdict.act) return undefined;
    return verdict.outcome === 'exempt'
      ? { status: 'skipped', reason: 'exempt', summary: verdict.detail }
      : { status: 'failed', errorClass: 'ApprovalRequired', message: verdict.detail };
  };
}
