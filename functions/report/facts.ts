import { clockOutcome } from '../core/clocks/clocks.js';
import { formatDuration, formatUtc } from './format.js';
import type { ReportClock, ReportIncident, ReportModel } from './model.js';

/** Figures both renderings show, computed once. */
export function runFacts(model: ReportModel) {
  const steps = model.incidents.flatMap((i) => i.steps);
  const count = (status: string) => steps.filter((s) => s.status === status).length;
  return {
    incidents: model.incidents.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    skipped: count('skipped') + model.incidents.reduce((n, i) => n + i.skipped.length, 0),
    escalated: model.incidents.filter((i) => i.escalated || i.escalations.length > 0).length,
    footholdsOpen: model.incidents.reduce((n, i) => n + (i.eviction?.open ?? 0), 0),
    openClocks: model.incidents.reduce((n, i) => n + i.clocks.filter((c) => c.state === 'open').length, 0),
    missedClocks: model.incidents.reduce((n, i) => n + i.clocks.filter((c) => clockOutcome(c, new Date(model.generatedAt)) === 'missed').length, 0),
    duration: formatDuration(Date.parse(model.run.finishedAt) - Date.parse(model.run.startedAt)),
  };
}

/**
 * What was contained: the footholds closed, when the estate judged them (the same facts the
 * verdict rests on); otherwise the succeeded steps of the contain phase, as `action on target`.
 */
export function containment(incident: ReportIncident): string[] {
  if (incident.eviction && incident.eviction.footholds.length > 0) {
    return incident.eviction.footholds.filter((f) => !f.open).map((f) => `${f.kind} ${f.id} (closed by ${f.closedBy ?? '?'})`);
  }
  return incident.steps.filter((s) => s.phase === 'contain' && s.status === 'succeeded').map((s) => `${s.action} on ${s.target.id}`);
}

/** Footholds still open, with what would close them. */
export function stillOpen(incident: ReportIncident): string[] {
  return (incident.eviction?.footholds ?? []).filter((f) => f.open).map((f) => `${f.kind} ${f.id} — closes with ${f.until ?? '?'}`);
}

/**
 * A clock's outcome at the report's time: notified on time or late (with the reference), closed not
 * notifiable (with the rationale), MISSED (its deadline passed with nothing recorded — in a tabletop the
 * clock watch records that in the exercise's compressed time), or open with the time left.
 */
export function clockState(clock: ReportClock, now: string): string {
  const by = clock.closedBy ? ` by ${clock.closedBy}` : '';
  const when = clock.closedAt ? ` at ${formatUtc(clock.closedAt)}` : '';
  switch (clockOutcome(clock, new Date(now))) {
    case 'not notifiable':
      return `closed not notifiable${by}${when} — rationale: ${clock.rationale ?? '?'}`;
    case 'notified on time':
      return `notified on time${by}${when} — reference ${clock.notificationReference ?? '?'}`;
    case 'notified late':
      return `notified late (deadline missed)${by}${when} — reference ${clock.notificationReference ?? '?'}`;
    case 'missed': {
      const late = Date.parse(now) - Date.parse(clock.deadline);
      return `MISSED — deadline ${formatUtc(clock.deadline)} passed with no notification recorded${late > 0 ? ` (${formatDuration(late)} ago)` : ''}`;
    }
    case 'open':
      return `open, ${formatDuration(Date.parse(clock.deadline) - Date.parse(now))} left`;
  }
}

/** The reminders that fired for a clock: `24 h before (sent …), 4 h before (sent …)`, or `none`. */
export function remindersFired(clock: ReportClock): string {
  const sent = clock.remindersSent ?? [];
  return sent.length ? sent.map((r) => `${r.offsetHours} h before (${formatUtc(r.sentAt)})`).join(', ') : 'none';
}

/** The register line: status, personal data, who decided, and the rationale or basis. */
export function assessmentLine(a: NonNullable<ReportIncident['assessment']>): string {
  return `${a.status} — personal data ${a.personalData}; decided by ${a.decidedBy} at ${formatUtc(a.decidedAt)}; ${a.rationale ? `rationale: ${a.rationale}` : `basis: ${a.basis}`}`;
}

export function stepDuration(startedAt?: string, finishedAt?: string): string {
  return startedAt && finishedAt ? formatDuration(Date.parse(finishedAt) - Date.parse(startedAt)) : '—';
}
