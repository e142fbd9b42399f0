import type { IncidentReport, ResponderEvent } from '../engine/responder.js';
import { bold, dim, statusColor } from './format.js';

/** Live timeline lines for the local engine's events (tabletop, run --execute). */
const short = (id: string) => (id.length > 48 ? `…${id.slice(-47)}` : id);

export function timelineLine(e: ResponderEvent, line: (text: string) => void): void {
  if (e.kind === 'incident') {
    const f = e.incident.finding;
    line(`${bold(e.incident.id)}  ${f.source} ${f.severity} ${f.control ?? f.type} → ${e.incident.playbook ?? dim('no playbook')}${f.sample ? dim(' [sample]') : ''}`);
    for (const s of e.incident.skipped) line(`${e.incident.id}  ${s.phase.padEnd(8)} ${s.action.padEnd(28)} ${short(s.target.id)}  ${statusColor('skipped')} (${s.reason})`);
    return;
  }
  if (e.kind === 'step') {
    const ev = e.event;
    const head = `${e.incidentId}  ${ev.phase.padEnd(8)} ${ev.action.padEnd(28)} ${short(ev.target.id)}`;
    if (ev.kind === 'retrying') line(`${head}  retrying after ${ev.errorClass ?? 'error'} (attempt ${ev.attempt})`);
    else if (ev.kind === 'awaiting-approval') line(`${head}  awaiting approval`);
    else if (ev.kind === 'finished') line(`${head}  ${statusColor(ev.status ?? 'succeeded')}${ev.reason ? ` (${ev.reason})` : ''}`);
    return;
  }
  const r = e.report;
  line(`${r.incident.id}  ${r.status === 'escalated' ? statusColor('failed') + ' — escalated' : r.status === 'contained' ? statusColor('succeeded') + ' — contained' : dim('no action')}`);
}

export function summaryText(reports: readonly IncidentReport[]): string {
  const count = (status: string) => reports.reduce((n, r) => n + r.steps.filter((s) => s.status === status).length, 0);
  const contained = reports.filter((r) => r.status === 'contained').length;
  const escalated = reports.filter((r) => r.status === 'escalated').length;
  return `${bold('Summary')}: ${reports.length} incident(s): ${contained} contained, ${escalated} escalated, ${reports.length - contained - escalated} with no action; steps ${count('succeeded')} succeeded, ${count('skipped')} skipped, ${count('failed')} failed.`;
}
