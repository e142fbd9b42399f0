import { sha256Hex } from './canonical-json.js';
import type { ActionName, Finding, Target } from './model.js';

/**
 * Deterministic ids: the same finding (source + id) is always the same incident, so redeliveries
 * and GuardDuty count updates collapse into one; a step is its action on its target.
 */
export const INCIDENT_ID = /^inc-[0-9a-f]{16}$/;

export function incidentId(finding: Pick<Finding, 'source' | 'id'>): string {
  return `inc-${sha256Hex(`${finding.source}:${finding.id}`).slice(0, 16)}`;
}

export function stepId(action: ActionName, target: Pick<Target, 'id'>): string {
  return `${action}:${target.id}`;
}
