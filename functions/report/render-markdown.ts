import { escapeMarkdown as md } from './escape.js';
import { assessmentLine, clockState, containment, remindersFired, runFacts, stepDuration, stillOpen } from './facts.js';
import { REGIME_LABEL, formatUtc } from './format.js';
import { notificationDrafts, todoText, type DraftSegment } from './gdpr-draft.js';
import type { ReportIncident, ReportModel } from './model.js';

const table = (head: string[], rows: string[][]): string[] => [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
const segment = (s: DraftSegment) => ('text' in s ? md(s.text) : `**${todoText(s.todo)}**`);

function incidentSection(inc: ReportIncident, model: ReportModel): string[] {
  const f = inc.finding;
  const out = [
    `## ${md(inc.id)} — ${md(f.title)}`,
    '',
    `- **Finding:** ${md(f.type)} (${f.source}, severity ${f.severity}${f.sample ? ', sample finding' : ''}), observed ${formatUtc(f.observedAt)}, id \`${md(f.id)}\``,
    `- **Where:** ${f.cloud} ${md(f.account)} / ${md(f.region)}`,
    `- **Resources:** ${f.resources.map((r) => `${md(r.type)} \`${md(r.id)}\``).join(', ') || '—'}`,
    `- **Playbook:** ${inc.playbook ? `\`${md(inc.playbook)}\`` : 'none matched'} — status **${inc.status}**${inc.escalated ? ' — **escalated**' : ''}`,
    `- **Contained:** ${containment(inc).map(md).join('; ') || 'nothing'}`,
    ...(stillOpen(inc).length ? [`- **Still open:** ${stillOpen(inc).map(md).join('; ')}`] : []),
    ...(inc.evidenceAtRisk?.length ? [`- **Evidence at risk:** ${inc.evidenceAtRisk.map((a) => md(`${a.kind} ${a.id}: ${a.reason}`)).join('; ')}`] : []),
    ...(inc.findingSha256 ? [`- **Finding as received (SHA-256):** \`${inc.findingSha256}\``] : []),
    '',
    '### Steps',
    '',
    ...table(
      ['Step', 'Target', 'Phase', 'Status', 'Reason', 'Calls', 'Started', 'Took'],
      inc.steps.map((s) => [
        md(s.action),
        `\`${md(s.target.id)}\``,
        s.phase,
        `**${s.status}**`,
        md([s.errorClass, s.reason].filter(Boolean).join(': ')) || '—',
        s.calls.map(md).join(', ') || '—',
        formatUtc(s.startedAt),
        stepDuration(s.startedAt, s.finishedAt),
      ]),
    ),
  ];
  if (inc.skipped.length) {
    out.push('', '### Skipped by the plan', '', ...table(['Step', 'Target', 'Reason', 'Detail'], inc.skipped.map((s) => [md(s.action), `\`${md(s.target.id)}\``, s.reason, md(s.detail)])));
  }
  if (inc.escalations.length) out.push('', '### Escalations', '', ...inc.escalations.map((e) => `- ${formatUtc(e.at)}: ${md(e.reason)}`));
  out.push('', '### Evidence', '');
  out.push(
    ...(inc.evidence.length
      ? table(['Kind', 'Id', 'Of', 'Taken', 'Tags'], inc.evidence.map((e) => [e.kind, `\`${md(e.id)}\``, `\`${md(e.of)}\``, formatUtc(e.takenAt), md(Object.entries(e.tags).map(([k, v]) => `${k}=${v}`).join(', ')) || '—']))
      : ['No evidence recorded.']),
  );
  out.push('', '### Clocks', '');
  out.push(
    ...(inc.clocks.length
      ? table(
          ['Regime', 'Aware', 'Deadline', 'Outcome', 'Reminders fired'],
          inc.clocks.map((c) => [`${REGIME_LABEL[c.regime]}${c.shadow ? ' (shadow)' : ''}`, formatUtc(c.awareAt), formatUtc(c.deadline), md(clockState(c, model.generatedAt)), md(remindersFired(c))]),
        )
      : ['No regulatory clock.']),
  );
  if (inc.assessment) out.push('', `**Breach register (GDPR Art. 33(5)):** ${md(assessmentLine(inc.assessment))}`);
  for (const draft of notificationDrafts(inc, model)) {
    out.push('', `### ${draft.title}`, '', `> ${draft.intro} Bold bracketed text must be completed by the DPO before sending.`, '');
    for (const section of draft.sections) {
      out.push(`#### ${section.heading}`, '', ...section.paragraphs.map((p) => `${p.map(segment).join('')}\n`));
    }
  }
  return out;
}

export function renderMarkdown(model: ReportModel): string {
  const facts = runFacts(model);
  const r = model.run;
  return [
    `# Cordon after-action report — ${r.mode}`,
    '',
    `- **Run:** ${formatUtc(r.startedAt)} → ${formatUtc(r.finishedAt)} (${facts.duration})${r.speed && r.speed !== 1 ? `, time compressed ×${r.speed}` : ''}`,
    `- **Estate:** ${md(r.estate ?? '—')}${r.faults ? ` — faults \`${md(r.faults)}\`` : ''}`,
    ...(r.inputs?.length ? [`- **Inputs:** ${r.inputs.map((i) => `\`${md(i)}\``).join(', ')}`] : []),
    `- **Outcome:** ${facts.incidents} incident(s); ${facts.succeeded} step(s) succeeded, ${facts.failed} failed, ${facts.skipped} skipped; ${facts.escalated} escalated; ${facts.footholdsOpen} foothold(s) open; ${facts.openClocks} clock(s) open${facts.missedClocks ? `, ${facts.missedClocks} missed` : ''}`,
    `- **Audit log:** ${model.audit.records} records, head \`${model.audit.head}\`${model.audit.verified === undefined ? '' : model.audit.verified ? ' (chain verified)' : ' (**chain broken**)'}`,
    `- **Generated:** ${formatUtc(model.generatedAt)}`,
    '',
    ...model.incidents.flatMap((inc) => [...incidentSection(inc, model), '']),
  ].join('\n');
}
