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
    escalated: model.incidents.filter((i) => i.escalated || i.escalations.length > 0).length,
    footholdsOpen: model.incidents.reduce((n, i) => n + (i.eviction?.open ?? 0), 0),
    openClocks: model.incidents.reduce((n, i) => n + i.clocks.filter((c) => c.state === 'open').length, 0),
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

/** Time left on a clock at the report's time, or how it was closed. */
export function clockState(clock: ReportClock, now: string): string {
  if (clock.state === 'closed') return `closed ${clock.closedAt ?? ''} — reference ${clock.notificationReference ?? '?'}`.replace('  ', ' ');
  const left = Date.parse(clock.deadline) - Date.parse(now);
  return left >= 0 ? `open, ${formatDuration(left)} left` : `open, OVERDUE by ${formatDuration(-left)}`;
}

export function stepDuration(startedAt?: string, finishedAt?: string): string {
  return startedAt && finishedAt ? formatDuration(Date.parse(finishedAt) - Date.parse(startedAt)) : '—';
}
