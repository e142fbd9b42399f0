import { formatDuration } from './format.js';
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
    escalated: model.incidents.filter((i) => i.status === 'escalated' || i.escalations.length > 0).length,
    openClocks: model.incidents.reduce((n, i) => n + i.clocks.filter((c) => c.state === 'open').length, 0),
    duration: formatDuration(Date.parse(model.run.finishedAt) - Date.parse(model.run.startedAt)),
  };
}

/** What was contained: succeeded steps of the contain phase, as `action on target`. */
export function containment(incident: ReportIncident): string[] {
  return incident.steps.filter((s) => s.phase === 'contain' && s.status === 'succeeded').map((s) => `${s.action} on ${s.target.id}`);
}

/** Time left on a clock at the report's time, or how it was closed. */
export function clockState(clock: ReportClock, now: string): string {
  if (clock.state === 'closed') return `closed ${clock.closedAt ?? ''} — reference ${clock.notificationReference ?? '?'}`.replace('  ', ' ');
  const left = Date.parse(clock.deadline) - Date.parse(now);
  return left >= 0 ? `open, ${formatDuration(left)} left` : `open, OVERDUE by ${formatDuration(-left)}`;
}

export function stepDuration(startedAt?: string, finishedAt?: string): string {
  return startedAt && finishedAt ? formatDuration(Date.parse(finishedAt) - Date.parse(startedAt)) : '—';
}
