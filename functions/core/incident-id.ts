import { sha256Hex } from './canonical-json.js';
import type { ActionName, Finding, IngestedFinding, Target } from './model.js';

/**
 * Deterministic ids: the same finding (source + id) is always the same incident, so redeliveries
 * and GuardDuty count updates collapse into one; a step is its action on its target.
 * A relayed copy (GuardDuty's finding as Security Hub or OCSF delivers it) is keyed on the original it
 * relays, so one breach is one incident — one clock, one set of actions — whichever copy arrives first.
 */
export const INCIDENT_ID = /^inc-[0-9a-f]{16}$/;

export function incidentId(finding: Pick<Finding, 'source' | 'id' | 'relayOf'>): string {
  const key = finding.relayOf ?? finding;
  return `inc-${sha256Hex(`${key.source}:${key.id}`).slice(0, 16)}`;
}

export function stepId(action: ActionName, target: Pick<Target, 'id'>): string {
  return `${action}:${target.id}`;
}

export interface Delivery {
  /** The copy the incident is planned from: the latest one. */
  ingested: IngestedFinding;
  /** How many copies of this incident's finding arrived (redeliveries, count updates, relayed copies). */
  deliveries: number;
}

/**
 * One entry per incident, in order of first arrival. A later copy replaces an earlier one unless it was
 * observed earlier: a Defender alert delivered again as Dismissed, or a Security Hub copy of a GuardDuty
 * finding, updates the incident instead of being dropped as a duplicate.
 */
export function latestPerIncident(findings: Iterable<IngestedFinding>): Delivery[] {
  const byIncident = new Map<string, Delivery>();
  for (const ingested of findings) {
    const id = incidentId(ingested.finding);
    const seen = byIncident.get(id);
    if (!seen) {
      byIncident.set(id, { ingested, deliveries: 1 });
      continue;
    }
    seen.deliveries += 1;
    if (ingested.finding.observedAt >= seen.ingested.finding.observedAt) seen.ingested = ingested;
  }
  return [...byIncident.values()];
}
