import { isResourceTarget, type Incident, type SkippedStep } from '../core/model.js';
import { ORG_ACCOUNTS, type CaseStore } from '../records/case-store.js';

export interface Caps {
  maxActionsPerAccountPerHour: number;
  maxActionsPerOrgPerHour: number;
}

/**
 * Blast radius that holds under concurrency (DESIGN.md §4): before a new incident is recorded, each
 * acting step reserves one action against its TARGET account and one against the organization, in
 * the case store, atomically (a conditional update; a SQLite upsert). The plan's own count is an
 * early filter only: sixty intakes planning at once all see the same count, only the store can say
 * no to the fifty-first. A step that gets no room is moved to `skipped` with the cap it hit.
 */
export async function reserveCapacity(incident: Incident, store: CaseStore, caps: Caps, at: string): Promise<Incident> {
  const steps = [];
  const skipped: SkippedStep[] = [];
  for (const step of incident.steps) {
    if (!isResourceTarget(step.target)) {
      steps.push(step);
      continue;
    }
    if (!(await store.reserveActions(step.account, at, 1, caps.maxActionsPerAccountPerHour))) {
      skipped.push({ action: step.action, target: step.target, phase: step.phase, reason: 'blast-radius-account-rate', detail: `account ${step.account} reached ${caps.maxActionsPerAccountPerHour} actions this hour (the cap)` });
      continue;
    }
    // The account's reservation stays counted if the organization has no room: erring towards fewer actions.
    if (!(await store.reserveActions(ORG_ACCOUNTS, at, 1, caps.maxActionsPerOrgPerHour))) {
      skipped.push({ action: step.action, target: step.target, phase: step.phase, reason: 'blast-radius-org-rate', detail: `the organization reached ${caps.maxActionsPerOrgPerHour} actions this hour (the cap)` });
      continue;
    }
    steps.push(step);
  }
  if (skipped.length === 0) return incident;
  // Notify steps wait only for what still runs.
  const acting = new Set(steps.filter((s) => s.phase !== 'notify').map((s) => s.id));
  return {
    ...incident,
    steps: steps.map((s) => (s.phase === 'notify' ? { ...s, dependsOn: s.dependsOn.filter((d) => acting.has(d)) } : s)),
    skipped: [...incident.skipped, ...skipped],
  };
}
