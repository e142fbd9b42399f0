import { stepId } from '../core/incident-id.js';
import type { CaseStore } from '../records/case-store.js';
import { manifestItems, type EvidenceStore } from '../records/evidence.js';
import type { ReportIncident, ReportModel, ReportRun } from '../report/model.js';
import type { IncidentReport } from './responder.js';

/** Gathers what the after-action report shows from the run's results and the records. */
export async function buildReportModel(
  run: ReportRun,
  reports: readonly IncidentReport[],
  records: { store: CaseStore; evidence: EvidenceStore; audit: { records: number; head: string } },
  generatedAt: string,
): Promise<ReportModel> {
  const incidents: ReportIncident[] = [];
  for (const r of reports) {
    const manifest = records.evidence.read(r.incident.id);
    const clocks = await records.store.listClocks(r.incident.id);
    const incident: ReportIncident = {
      id: r.incident.id,
      finding: r.incident.finding,
      playbook: r.incident.playbook,
      status: r.status,
      escalated: r.escalated,
      ...(r.eviction ? { eviction: r.eviction } : {}),
      ...(r.evidenceAtRisk ? { evidenceAtRisk: r.evidenceAtRisk } : {}),
      steps: r.steps
        .filter((s) => !r.incident.skipped.some((k) => stepId(k.action, k.target) === s.stepId))
        .map((s) => ({
          id: s.stepId,
          action: s.action,
          target: s.target,
          phase: s.phase,
          status: s.status,
          calls: s.calls,
          ...(s.reason !== undefined ? { reason: s.reason } : {}),
          ...(s.errorClass !== undefined ? { errorClass: s.errorClass } : {}),
          ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
          ...(s.finishedAt !== undefined ? { finishedAt: s.finishedAt } : {}),
        })),
      skipped: r.incident.skipped,
      evidence: manifestItems(manifest),
      clocks: clocks.map((c) => ({
        regime: c.regime,
        awareAt: c.awareAt,
        deadline: c.deadline,
        state: c.state,
        remindersSent: c.remindersSent,
        ...(c.notificationReference !== undefined ? { notificationReference: c.notificationReference } : {}),
        ...(c.outcome !== undefined ? { outcome: c.outcome } : {}),
        ...(c.rationale !== undefined ? { rationale: c.rationale } : {}),
        ...(c.closedBy !== undefined ? { closedBy: c.closedBy } : {}),
        ...(c.closedAt !== undefined ? { closedAt: c.closedAt } : {}),
        ...(c.missedAt !== undefined ? { missedAt: c.missedAt } : {}),
        ...(c.shadow ? { shadow: true } : {}),
      })),
      escalations: r.escalated
        ? [{ at: r.finishedAt, reason: r.steps.filter((s) => s.status === 'failed').map((s) => `${s.action} on ${s.target.id}: ${s.reason ?? s.errorClass ?? 'failed'}`).join('; ') }]
        : [],
    };
    if (manifest?.finding) incident.findingSha256 = manifest.finding.rawSha256;
    const entry = await records.store.getRegisterEntry(r.incident.id);
    if (entry) {
      incident.assessment = {
        personalData: entry.personalData,
        status: entry.status,
        basis: entry.basis,
        decidedBy: entry.decidedBy,
        decidedAt: entry.decidedAt,
        ...(entry.rationale !== undefined ? { rationale: entry.rationale } : {}),
      };
    }
    incidents.push(incident);
  }
  return { run, incidents, audit: records.audit, generatedAt };
}
