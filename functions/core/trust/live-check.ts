import type { Phase } from '../model.js';
import { APPROVAL_TAG, EXEMPT_TAG } from '../plan/plan.js';

/**
 * The live safety check (DESIGN.md §4): just before a step acts, the target's tags are read from
 * the cloud, because the finding's copy of them is whatever the finding's writer said and may be
 * stale. Pure: the host reads the tags (adapters/*\/live-tags.ts), this decides.
 *
 * - `cordon:exempt=true` on the live resource: the step does not act (any phase).
 * - `cordon:approval=required` on the live resource: containment waits for a person.
 * - Tags that cannot be read: containment waits for a person (fail closed); preservation acts,
 *   because evidence never waits (DESIGN.md §4) and a snapshot changes nothing on the target.
 * A person's approval answers the wait; it never overrides an exemption.
 */

/** What reading the live target's tags gave: its tags, no tags to read (the type has none), or a failure. */
export type LiveTags =
  | { kind: 'tags'; tags: Readonly<Record<string, string>>; via: string }
  | { kind: 'untagged'; why: string }
  /** The cloud says the target does not exist: there is nothing to protect, and the action reports NotFound itself. */
  | { kind: 'missing'; why: string }
  | { kind: 'unreadable'; problem: string };

export type LiveVerdict =
  | { act: true; note?: string }
  | { act: false; outcome: 'exempt'; detail: string }
  | { act: false; outcome: 'needs-approval'; detail: string };

export interface LiveStep {
  phase: Phase;
  /** A person already approved this step (the workflow's approval decision). */
  approved: boolean;
}

export function judgeLiveTags(step: LiveStep, live: LiveTags): LiveVerdict {
  if (live.kind === 'untagged') return { act: true };
  if (live.kind === 'missing') return { act: true, note: live.why };
  if (live.kind === 'unreadable') {
    if (step.phase === 'preserve') return { act: true, note: `live tags unreadable (${live.problem}); preservation never waits` };
    if (step.approved) return { act: true, note: `live tags unreadable (${live.problem}); a person approved the step` };
    return { act: false, outcome: 'needs-approval', detail: `the target's live tags could not be read (${live.problem}): a person must approve before Cordon acts (fail closed)` };
  }
  if (live.tags[EXEMPT_TAG]?.toLowerCase() === 'true') {
    return { act: false, outcome: 'exempt', detail: `tag ${EXEMPT_TAG}=true on the live resource (read with ${live.via})` };
  }
  if (live.tags[APPROVAL_TAG]?.toLowerCase() === 'required' && step.phase !== 'preserve' && !step.approved) {
    return { act: false, outcome: 'needs-approval', detail: `tag ${APPROVAL_TAG}=required on the live resource (read with ${live.via}): a person must approve` };
  }
  return { act: true };
}
