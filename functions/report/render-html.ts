import { escapeHtml as h } from './escape.js';
import { assessmentLine, clockState, containment, remindersFired, runFacts, stepDuration, stillOpen } from './facts.js';
import { REGIME_LABEL, formatUtc } from './format.js';
import { notificationDrafts, todoText, type DraftSegment } from './gdpr-draft.js';
import type { ReportIncident, ReportModel } from './model.js';
import { STATUS_COLOR, timelineSvg } from './timeline.js';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2937;background:#eef1f5}
main{max-width:1000px;margin:0 auto;padding:0 24px 48px}
header.top{background:#0f2740;color:#fff;padding:28px 0 22px;margin-bottom:24px}
header.top .inner{max-width:1000px;margin:0 auto;padding:0 24px}
header.top h1{margin:0 0 4px;font-size:24px;font-weight:650;letter-spacing:.2px}
header.top p{margin:0;color:#b8c7d9}
section.card{background:#fff;border:1px solid #dfe4ea;border-radius:8px;padding:20px 24px;margin:0 0 20px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
h2{font-size:18px;margin:0 0 12px;color:#0f2740}
h3{font-size:15px;margin:20px 0 8px;color:#0f2740}
h4{font-size:13px;margin:14px 0 4px;text-transform:uppercase;letter-spacing:.4px;color:#4b5563}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:0 0 20px}
.kpi{background:#fff;border:1px solid #dfe4ea;border-radius:8px;padding:12px 14px}
.kpi b{display:block;font-size:22px;color:#0f2740}
.kpi span{font-size:12px;color:#6b7280;text-transform:uppercase;letter-spacing:.4px}
dl.meta{display:grid;grid-template-columns:170px 1fr;gap:4px 16px;margin:0}
dl.meta dt{color:#6b7280}
dl.meta dd{margin:0;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse;font-size:13px;margin:4px 0 8px}
th{text-align:left;font-weight:600;color:#4b5563;background:#f6f8fb;border-bottom:1px solid #dfe4ea;padding:6px 8px}
td{border-bottom:1px solid #eef1f5;padding:6px 8px;vertical-align:top;overflow-wrap:anywhere}
td.nw,.nowrap{white-space:nowrap}
table.fixed{table-layout:fixed}
td.idc code{overflow-wrap:anywhere}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;border-radius:3px;padding:1px 4px}
.pill{white-space:nowrap;display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;color:#fff}
.sev-critical,.sev-high{background:#c62828}.sev-medium{background:#b26a00}.sev-low,.sev-informational{background:#5b6b80}
.st-open{background:#b26a00}.st-contained{background:#1a7f4b}.st-partially-contained{background:#b26a00}.st-not-contained{background:#c62828}.st-no-action{background:#5b6b80}.st-escalated{background:#c62828}.st-closed{background:#5b6b80}
.muted{color:#6b7280}
.overdue{color:#c62828;font-weight:600}
.draft{border-left:4px solid #0f2740;background:#f8fafc;padding:8px 16px;margin-top:8px}
.draft p{margin:4px 0 8px}
.drafted summary{cursor:pointer}
.drafted summary h3{display:inline}
mark.todo{background:#fff3c4;color:#7a4b00;font-weight:600;padding:0 3px;border-radius:2px}
.escalation{color:#c62828}
footer{color:#6b7280;font-size:12px;text-align:center;margin-top:24px}
@media print{body{background:#fff}header.top{background:#fff;color:#000;border-bottom:2px solid #0f2740}header.top p{color:#374151}
section.card,.kpi{box-shadow:none;break-inside:avoid-page}.pill{color:#000;border:1px solid #000;background:none!important}section.incident{break-before:page}}
`;

const pill = (cls: string, text: string) => `<span class="pill ${cls}">${h(text)}</span>`;
const statusPill = (status: keyof typeof STATUS_COLOR) => `<span class="pill" style="background:${STATUS_COLOR[status]}">${h(status)}</span>`;
const code = (text: string) => `<code>${h(text)}</code>`;
/**
 * An id that may be long (ARM ids run to 150+ characters): it may break after each `/` or `=` (and, as a last
 * resort, anywhere), so its column never has to be as wide as the whole id nor collapse to one letter.
 */
const longId = (text: string) => `<code>${h(text).replace(/[/=]/g, '$&<wbr>')}</code>`;
const segment = (s: DraftSegment) => ('text' in s ? h(s.text) : `<mark class="todo">${h(todoText(s.todo))}</mark>`);

/** A column: its heading, its class (`nw` keeps short values on one line, `idc` holds long ids), its fixed width. */
interface Column {
  head: string;
  cls?: 'nw' | 'idc';
  width?: string;
}

/**
 * A table, or the empty text. With widths the table is laid out fixed: the columns get their share of the
 * page whatever the content, so one long id cannot squeeze its neighbours to a letter's width.
 */
function rowsOrEmpty(columns: (Column | string)[], rows: string[][], empty: string): string {
  if (!rows.length) return `<p class="muted">${h(empty)}</p>`;
  const cols = columns.map((c) => (typeof c === 'string' ? { head: c } : c));
  const fixed = cols.some((c) => c.width);
  const colgroup = fixed ? `<colgroup>${cols.map((c) => `<col${c.width ? ` style="width:${c.width}"` : ''}>`).join('')}</colgroup>` : '';
  const td = (c: Column | undefined, v: string) => `<td${c?.cls ? ` class="${c.cls}"` : ''}>${v}</td>`;
  return `<table${fixed ? ' class="fixed"' : ''}>${colgroup}<thead><tr>${cols.map((c) => `<th>${h(c.head)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v, i) => td(cols[i], v)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function incidentSection(inc: ReportIncident, model: ReportModel): string {
  const f = inc.finding;
  const drafts = notificationDrafts(inc, model);
  const contained = containment(inc);
  return `<section class="card incident" id="${h(inc.id)}">
<h2>${h(inc.id)} — ${h(f.title)}</h2>
<p>${pill(`sev-${f.severity}`, f.severity)} ${pill(`st-${inc.status}`, inc.status)}${inc.escalated ? ' ' + pill('st-escalated', 'escalated') : ''}${f.sample ? ' ' + pill('st-closed', 'sample finding') : ''}</p>
<dl class="meta">
<dt>Finding</dt><dd>${code(f.type)} from ${h(f.source)}, observed ${h(formatUtc(f.observedAt))}<br><span class="muted">id ${h(f.id)}</span></dd>
<dt>Where</dt><dd>${h(f.cloud)} ${code(f.account)} / ${h(f.region)}</dd>
<dt>Resources</dt><dd>${f.resources.map((r) => `${h(r.type)} ${code(r.id)}`).join('<br>') || '—'}</dd>
<dt>Playbook</dt><dd>${inc.playbook ? code(inc.playbook) : '<span class="muted">none matched</span>'}</dd>
<dt>Contained</dt><dd>${contained.length ? contained.map(h).join('<br>') : '<span class="muted">nothing</span>'}</dd>
${stillOpen(inc).length ? `<dt>Still open</dt><dd class="escalation">${stillOpen(inc).map(h).join('<br>')}</dd>` : ''}
${inc.evidenceAtRisk?.length ? `<dt>Evidence at risk</dt><dd class="escalation">${inc.evidenceAtRisk.map((a) => h(`${a.kind} ${a.id}: ${a.reason}`)).join('<br>')}</dd>` : ''}
${inc.findingSha256 ? `<dt>As received (SHA-256)</dt><dd>${code(inc.findingSha256)}</dd>` : ''}
</dl>
<h3>Steps</h3>
${rowsOrEmpty(
  [{ head: 'Step', cls: 'nw' }, { head: 'Target', cls: 'idc' }, { head: 'Phase', cls: 'nw' }, { head: 'Status', cls: 'nw' }, 'Reason', 'Calls', 'Started', 'Took'],
  inc.steps.map((s) => [
    h(s.action),
    longId(s.target.id),
    h(s.phase),
    statusPill(s.status),
    h([s.errorClass, s.reason].filter(Boolean).join(': ')) || '—',
    s.calls.map(code).join(' ') || '—',
    h(formatUtc(s.startedAt)),
    `<span class="nowrap">${h(stepDuration(s.startedAt, s.finishedAt))}</span>`,
  ]),
  'No step ran.',
)}
${inc.skipped.length ? `<h3>Skipped by the plan</h3>${rowsOrEmpty([{ head: 'Step', cls: 'nw' }, { head: 'Target', cls: 'idc' }, { head: 'Reason', cls: 'nw' }, 'Detail'], inc.skipped.map((s) => [h(s.action), longId(s.target.id), h(s.reason), h(s.detail)]), '')}` : ''}
${inc.escalations.length ? `<h3>Escalations</h3><ul>${inc.escalations.map((e) => `<li class="escalation">${h(formatUtc(e.at))}: ${h(e.reason)}</li>`).join('')}</ul>` : ''}
<h3>Evidence</h3>
${rowsOrEmpty(
  [
    { head: 'Kind', width: '13%' },
    { head: 'Id', cls: 'idc', width: '27%' },
    { head: 'Of', cls: 'idc', width: '24%' },
    { head: 'Taken', width: '12%' },
    { head: 'Tags', cls: 'idc', width: '24%' },
  ],
  inc.evidence.map((e) => [h(e.kind), longId(e.id), longId(e.of), h(formatUtc(e.takenAt)), Object.entries(e.tags).map(([k, v]) => longId(`${k}=${v}`)).join('<br>') || '—']),
  'No evidence recorded.',
)}
<h3>Regulatory clocks</h3>
${rowsOrEmpty(
  [{ head: 'Regime', cls: 'nw' }, 'Aware', { head: 'Deadline', cls: 'nw' }, 'Outcome', 'Reminders fired'],
  inc.clocks.map((c) => {
    const state = clockState(c, model.generatedAt);
    const late = state.startsWith('MISSED') || state.startsWith('notified late');
    return [h(`${REGIME_LABEL[c.regime]}${c.shadow ? ' (shadow)' : ''}`), h(formatUtc(c.awareAt)), `<b>${h(formatUtc(c.deadline))}</b>`, late ? `<span class="overdue">${h(state)}</span>` : h(state), h(remindersFired(c))];
  }),
  'No regulatory clock.',
)}
${inc.assessment ? `<p><b>Breach register (GDPR Art. 33(5)):</b> ${h(assessmentLine(inc.assessment))}</p>` : ''}
${drafts
  .map(
    // Drafts are folded: a report with several incidents stays a few screens long; the DPO opens the one they send.
    (d) => `<details class="drafted"><summary><h3>${h(d.title)}</h3></summary>
<p class="muted">${h(d.intro)} Highlighted text must be completed by the DPO before sending.</p>
<div class="draft">${d.sections.map((s) => `<h4>${h(s.heading)}</h4>${s.paragraphs.map((p) => `<p>${p.map(segment).join('')}</p>`).join('')}`).join('\n')}</div></details>`,
  )
  .join('\n')}
</section>`;
}

export function renderHtml(model: ReportModel): string {
  const facts = runFacts(model);
  const r = model.run;
  const kpi = (value: string | number, label: string) => `<div class="kpi"><b>${h(String(value))}</b><span>${h(label)}</span></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Cordon after-action report — ${h(r.mode)} ${h(formatUtc(r.startedAt))}</title>
<style>${CSS}</style></head>
<body>
<header class="top"><div class="inner"><h1>Cordon after-action report</h1>
<p>${h(r.mode)} run · ${h(formatUtc(r.startedAt))} → ${h(formatUtc(r.finishedAt))} · ${h(facts.duration)}${r.speed && r.speed !== 1 ? ` · time compressed ×${h(String(r.speed))}` : ''}</p></div></header>
<main>
<div class="kpis">${kpi(facts.incidents, 'incidents')}${kpi(facts.succeeded, 'steps succeeded')}${kpi(facts.failed, 'steps failed')}${kpi(facts.skipped, 'skipped')}${kpi(facts.escalated, 'escalated')}${kpi(facts.footholdsOpen, 'footholds open')}${kpi(facts.openClocks, 'clocks open')}${facts.missedClocks ? kpi(facts.missedClocks, 'deadlines missed') : ''}</div>
<section class="card"><h2>Run</h2><dl class="meta">
<dt>Mode</dt><dd>${h(r.mode)}</dd>
<dt>Estate</dt><dd>${h(r.estate ?? '—')}</dd>
${r.inputs?.length ? `<dt>Inputs</dt><dd>${r.inputs.map(code).join(' ')}</dd>` : ''}
${r.faults ? `<dt>Injected faults</dt><dd>${code(r.faults)}</dd>` : ''}
<dt>Audit log</dt><dd>${model.audit.records} records · head ${code(model.audit.head)}${model.audit.verified === undefined ? '' : model.audit.verified ? ' · chain verified' : ' · <span class="overdue">chain broken</span>'}</dd>
<dt>Generated</dt><dd>${h(formatUtc(model.generatedAt))}</dd>
</dl></section>
<section class="card"><h2>Timeline</h2>${timelineSvg(model)}</section>
${model.incidents.map((inc) => incidentSection(inc, model)).join('\n')}
<footer>Generated by Cordon · times in UTC · self-contained page, no external resources</footer>
</main></body></html>
`;
}
