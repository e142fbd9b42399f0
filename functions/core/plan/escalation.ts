import type { Incident, Severity } from '../model.js';

/**
 * DESIGN.md §4: a matched incident of high or critical severity that planned no acting step is
 * escalated, with the reason — root credentials, an unsupported target, an untrusted producer, an
 * exempt or out-of-scope resource, the kill switch. Otherwise it would end quietly as `no-action`
 * while the attacker keeps going. Sample findings are the exception: there is nothing to escalate.
 */
export function plannedEscalation(incident: Pick<Incident, 'finding' | 'playbook' | 'steps' | 'skipped'>): string | undefined {
  if (incident.playbook === null) return undefined;
  if (!ESCALATING.has(incident.finding.severity)) return undefined;
  if (incident.steps.some((s) => s.phase !== 'notify')) return undefined;
  const acting = incident.skipped.filter((s) => s.phase !== 'notify');
  if (acting.length > 0 && acting.every((s) => s.reason === 'sample-finding')) return undefined;
  const reasons = [...new Set(acting.map((s) => `${s.reason} (${s.detail})`))];
  const why = reasons.length > 0 ? reasons.join('; ') : `no step of ${incident.playbook} applies to the finding's resources`;
  return `${incident.finding.severity} severity incident matched ${incident.playbook} but planned no containment or preservation: ${why}`;
}

const ESCALATING: ReadonlySet<Severity> = new Set<Severity>(['high', 'critical']);
