import type { EvidenceItem } from '../core/actions/types.js';
import type { Incident, Rejected } from '../core/model.js';
import { producerOf } from '../core/trust/trust.js';
import { bold, dim, table, yellow } from './format.js';

/** The `cordon plan --json` document of DESIGN.md §3. */
export interface PlanDocument {
  incidents: PlanJsonIncident[];
  rejected: Rejected[];
}

export interface PlanJsonIncident {
  id: string;
  finding: {
    id: string;
    source: string;
    cloud: string;
    type: string;
    severity: string;
    account: string;
    region: string;
    observedAt: string;
    sample: boolean;
    producer: string;
    resources: { type: string; id: string }[];
  };
  trust: { trusted: boolean; reason: string };
  playbook: string | null;
  steps: { action: string; target: string; phase: string }[];
  skipped: { action: string; target: string; reason: string; detail: string }[];
  clocks: { regime: string; deadline: string }[];
  assessment: { personalData: string; status: string; basis: string };
}

/** DESIGN §3: one evidence item of the tabletop JSON. `copiedTo` is `<account>:<snapshot id>` of the forensic copy, or null. */
export interface EvidenceJson {
  kind: EvidenceItem['kind'];
  id: string;
  of: string;
  locked: boolean;
  copiedTo: string | null;
}

export function evidenceJson(item: EvidenceItem): EvidenceJson {
  return { kind: item.kind, id: item.id, of: item.of, locked: item.lock !== undefined, copiedTo: item.copiedTo ?? null };
}

export function incidentJson(incident: Incident): PlanJsonIncident {
  const f = incident.finding;
  return {
    id: incident.id,
    finding: {
      id: f.id,
      source: f.source,
      cloud: f.cloud,
      type: f.type,
      severity: f.severity,
      account: f.account,
      region: f.region,
      observedAt: f.observedAt,
      sample: f.sample,
      producer: producerOf(f),
      resources: f.resources.map((r) => ({ type: r.type, id: r.id })),
    },
    trust: { trusted: incident.trust.trusted, reason: incident.trust.reason },
    playbook: incident.playbook,
    steps: incident.steps.map((s) => ({ action: s.action, target: s.target.id, phase: s.phase })),
    skipped: incident.skipped.map((s) => ({ action: s.action, target: s.target.id, reason: s.reason, detail: s.detail })),
    clocks: incident.clocks.map((c) => ({ regime: c.regime, deadline: c.deadline })),
    assessment: incident.assessment
      ? { personalData: incident.assessment.personalData, status: incident.assessment.status, basis: incident.assessment.basis }
      : { personalData: 'unknown', status: 'assessing', basis: 'planned before breach assessments existed' },
  };
}

export function planDocument(incidents: readonly Incident[], rejected: readonly Rejected[]): PlanDocument {
  return { incidents: incidents.map(incidentJson), rejected: [...rejected] };
}

const shortId = (id: string) => (id.length > 60 ? `…${id.slice(-57)}` : id);

/** The human view of a plan: one block per incident, then the rejected inputs. */
export function planText(incidents: readonly Incident[], rejected: readonly Rejected[]): string {
  const blocks = incidents.map((inc) => {
    const f = inc.finding;
    const head = `${bold(inc.id)}  ${f.source} ${f.severity.toUpperCase()}  ${f.type}${f.sample ? yellow('  [sample]') : ''}`;
    const lines = [
      head,
      `  finding   ${shortId(f.id)}`,
      `  where     ${f.cloud} ${f.account} ${f.region}   observed ${f.observedAt}`,
      `  playbook  ${inc.playbook ?? dim('none — no playbook matches; nothing to do')}`,
    ];
    if (!inc.trust.trusted) lines.push(`  trust     ${yellow(`untrusted — ${inc.trust.reason}`)}`);
    if (inc.steps.length > 0) {
      lines.push('', indent(table(['phase', 'action', 'target', 'approval'], inc.steps.map((s) => [s.phase, s.action, shortId(s.target.id), s.approval ? `required${typeof s.params['approvalReason'] === 'string' ? ` (${s.params['approvalReason']})` : ''}` : '']))));
    }
    if (inc.skipped.length > 0) {
      lines.push('', indent(table(['skipped', 'target', 'reason'], inc.skipped.map((s) => [s.action, shortId(s.target.id), `${s.reason}: ${s.detail}`]))));
    }
    if (inc.clocks.length > 0) {
      lines.push('', indent(table(['clock', 'deadline (UTC)'], inc.clocks.map((c) => [c.regime, c.deadline]))));
    }
    if (inc.assessment) lines.push('', `  breach    ${inc.assessment.status}, personal data ${inc.assessment.personalData} — ${inc.assessment.basis}`);
    return lines.join('\n');
  });
  if (rejected.length > 0) blocks.push(['rejected:', ...rejected.map((r) => `  ${r.file}: ${r.reason}`)].join('\n'));
  const acting = incidents.filter((i) => i.steps.length > 0).length;
  blocks.push(dim(`${incidents.length} finding(s), ${acting} with steps to run, ${rejected.length} rejected input(s)`));
  return blocks.join('\n\n');
}

const indent = (text: string) => text.split('\n').map((l) => `  ${l}`).join('\n');
