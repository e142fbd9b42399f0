import type { Phase } from './model.js';

/**
 * An incident's verdict (DESIGN §3): `contained` only when every foothold of the incident is
 * closed and at least one step acted — successful API calls alone prove nothing. A containment
 * step skipped for a safety rule, rejected or failed is never `contained`.
 */
export const INCIDENT_VERDICTS = ['contained', 'partially-contained', 'not-contained', 'no-action'] as const;
export type IncidentVerdict = (typeof INCIDENT_VERDICTS)[number];

export interface FootholdOutcome {
  kind: string;
  id: string;
  open: boolean;
  /** The action (or the cloud's own behaviour) that closed it. */
  closedBy?: string;
  /** While open: what would close it. */
  until?: string;
}

export interface Eviction {
  footholds: FootholdOutcome[];
  open: number;
}

export interface EvidenceAtRisk {
  kind: string;
  id: string;
  reason: string;
}

export interface VerdictInput {
  /** Steps the plan gave the workflow (0: no playbook, or nothing to do). */
  planned: number;
  steps: readonly { phase: Phase; status: string; reason?: string }[];
  /** Unknown outside the simulated estate: then the steps alone decide. */
  eviction?: Eviction;
}

/** A step whose effect is in place: it acted, or found it already done (a redelivery, a taken-over claim). */
function done(s: { status: string; reason?: string }): boolean {
  return s.status === 'succeeded' || (s.status === 'skipped' && /^(already-done|not-applicable)\b/.test(s.reason ?? ''));
}

/**
 * A step the plan left out because its target is not one the action takes (a storage account the
 * alert shows no key use on, a user it does not mark compromised): not a safety skip, so it blocks
 * nothing; the footholds still decide.
 */
function notForThisTarget(s: { status: string; reason?: string }): boolean {
  return s.status === 'skipped' && /^unsupported-target\b/.test(s.reason ?? '');
}

export function incidentVerdict({ planned, steps, eviction }: VerdictInput): IncidentVerdict {
  const total = eviction?.footholds.length ?? 0;
  const open = eviction?.open ?? 0;
  if (planned === 0) return open > 0 ? 'not-contained' : 'no-action';
  const contain = steps.filter((s) => s.phase === 'contain' && !notForThisTarget(s));
  // Acted: an effect is in place; a step that found nothing to change on its target (not-applicable) acted on nothing.
  const acted = steps.some((s) => done(s) && !/^not-applicable\b/.test(s.reason ?? '') && (s.phase === 'contain' || contain.length === 0));
  const blocked = contain.some((s) => !done(s));
  if (open === 0 && acted && !blocked) return 'contained';
  if (total > 0 ? open === total : !acted) return 'not-contained';
  return 'partially-contained';
}
