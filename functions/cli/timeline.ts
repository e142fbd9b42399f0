import type { IncidentReport, ResponderEvent } from '../engine/responder.js';
import { bold, dim, green, red, statusColor, yellow } from './format.js';

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
  line(`${r.incident.id}  ${verdictText(r)}${r.escalated ? ` — ${red('escalated')}` : ''}`);
  for (const f of r.eviction?.footholds ?? []) line(`${r.incident.id}  foothold ${f.kind.padEnd(19)} ${short(f.id)}  ${f.open ? `${red('open')} — closes with ${f.until ?? '?'}` : `${green('closed')} by ${f.closedBy ?? '?'}`}`);
  for (const a of r.evidenceAtRisk ?? []) line(`${r.incident.id}  ${yellow('evidence at risk')} ${a.kind} ${a.id}: ${a.reason}`);
}

/** The verdict, coloured as the report shows it; with the foothold count when the estate judged them. */
function verdictText(r: IncidentReport): string {
  const label = r.status === 'contained' ? green(r.status) : r.status === 'no-action' ? dim('no action') : r.status === 'not-contained' ? red(r.status) : yellow(r.status);
  const ev = r.eviction;
  return ev && ev.footholds.length > 0 ? `${label} (footholds: ${ev.footholds.length - ev.open} closed, ${ev.open} open)` : label;
}

export function summaryText(reports: readonly IncidentReport[]): string {
  const count = (status: string) => reports.reduce((n, r) => n + r.steps.filter((s) => s.status === status).length, 0);
  const verdicts = (status: IncidentReport['status']) => reports.filter((r) => r.status === status).length;
  const escalated = reports.filter((r) => r.escalated).length;
  const open = reports.reduce((n, r) => n + (r.eviction?.open ?? 0), 0);
  return `${bold('Summary')}: ${reports.length} incident(s): ${verdicts('contained')} contained, ${verdicts('partially-contained')} partially contained, ${verdicts('not-contained')} not contained, ${verdicts('no-action')} with no action; ${escalated} escalated; ${open} foothold(s) open; steps ${count('succeeded')} succeeded, ${count('skipped')} skipped, ${count('failed')} failed.`;
}
