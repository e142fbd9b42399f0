import { incidentId, latestPerIncident } from '../core/incident-id.js';
import type { IncidentVerdict } from '../core/verdict.js';
import type { IngestResult } from '../core/findings/ingest.js';
import { incidentOpened, type LifecyclePublisher } from '../core/lifecycle.js';
import type { IngestedFinding, Mode, Rejected } from '../core/model.js';
import type { Router } from '../core/playbooks/match.js';
import { planIncident } from '../core/plan/plan.js';
import { loadOperatorSettings, planSettingsFor, type OperatorSettings } from '../config/settings.js';
import { pauseReason } from '../records/case-store.js';
import { reserveCapacity } from '../engine/blast-radius.js';
import { plannedEscalation } from '../core/plan/escalation.js';
import { excerptOf, type AuditTrail } from '../records/audit-log.js';
import type { CaseStore } from '../records/case-store.js';
import { cordonActor, type EvidenceStore } from '../records/evidence.js';
import { workflowInput } from '../../workflows/input.js';
import type { StartOutcome, WorkflowStarter } from '../adapters/aws/start-execution.js';

/**
 * The cloud edges' common intake (Lambda `ingest`, Azure Function `ingest`): plan each finding in
 * automatic mode, record the incident and its audit trail, and start its workflow. Rejected
 * events are kept: the audit log (mirrored to the Object Lock bucket in the cloud) gets the
 * whole event with the reasons, so nothing a sender delivered is lost silently — a rule target's
 * dead-letter queue only catches delivery failures, never events Cordon refused.
 */

export interface IntakeDeps {
  store: CaseStore;
  audit: AuditTrail;
  evidence: EvidenceStore;
  router: Router;
  start: WorkflowStarter;
  now(): Date;
  /** Lifecycle events (EventBridge on AWS, Event Grid on Azure), best effort (handlers/lifecycle.ts). */
  publish?: LifecyclePublisher;
  /**
   * The operator's settings (loadOperatorSettings(process.env) in a host): trust, allowed accounts,
   * blast-radius caps, GDPR role, classification keys, NIS2 significance. Default: every default.
   */
  settings?: OperatorSettings;
  /** Tells people about an incident Cordon will not act on by itself (the escalation topic). */
  escalate?(incidentId: string, reason: string): Promise<void>;
}

export interface IntakeIncident {
  incidentId: string;
  findingId: string;
  playbook: string | null;
  /** False when the case store already had the incident (a redelivery). */
  created: boolean;
  /** Cloud: how Step Functions answered. Local engine: how the run ended. */
  outcome: StartOutcome['status'] | IncidentVerdict | 'escalated';
  executionArn?: string;
  /** Why nothing ran, when nothing did (no playbook, sample finding, exemptions …). */
  skipped: string[];
}

export interface IntakeOutcome {
  incidents: IntakeIncident[];
  rejected: Rejected[];
}

/** Cordon's cloud edges always plan automatically: a person acts through `cordon run` instead. */
const MODE: Mode = 'automatic';

export async function intake(result: IngestResult, rawEvent: unknown, deps: IntakeDeps): Promise<IntakeOutcome> {
  const outcome: IntakeOutcome = { incidents: [], rejected: result.rejected };
  await keepRejected(deps.audit, result.rejected, rawEvent);
  // One incident per finding in the event; a later copy with a new state is the one taken in.
  for (const { ingested } of latestPerIncident(result.findings)) {
    outcome.incidents.push(await intakeOne(ingested, deps));
  }
  return outcome;
}

/**
 * A refused event is kept in the audit trail with its reasons (incident null: it never became
 * one) as its hash, size and first bytes (≤ 64 KB), never whole: whoever can POST to the webhook
 * must not be able to grow the chain by megabytes per request, nor write a record past the
 * store's item limit (and so lose the refusal).
 */
export async function keepRejected(audit: AuditTrail, rejected: readonly Rejected[], rawEvent: unknown): Promise<void> {
  if (rejected.length > 0) await audit.append({ incident: null, event: 'ingest', data: { rejected: rejected.slice(0, 20), rejections: rejected.length, event: excerptOf(rawText(rawEvent)) } });
}

function rawText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

async function intakeOne(ingested: IngestedFinding, deps: IntakeDeps): Promise<IntakeIncident> {
  const now = deps.now();
  const at = now.toISOString();
  const { finding } = ingested;
  const id = incidentId(finding);
  // A redelivery runs the plan of record (the first one), so its execution input is identical; only a new incident reserves capacity.
  const existing = await deps.store.getIncident(id);
  let planned = existing?.incident;
  if (planned === undefined) {
    // Every intake reads the kill switch (DESIGN.md §4).
    const pause = await deps.store.getPause();
    const settings = deps.settings ?? loadOperatorSettings({});
    const actionsThisHour = { [finding.account]: await deps.store.countActions(finding.account, at) };
    const fresh = planIncident(finding, deps.router(finding), {
      ...planSettingsFor(settings, { now, mode: MODE }),
      actionsThisHour,
      ...(pause.paused ? { paused: { reason: pauseReason(pause) } } : {}),
    });
    const caps = { maxActionsPerAccountPerHour: settings.maxActionsPerAccountPerHour, maxActionsPerOrgPerHour: settings.maxActionsPerOrgPerHour };
    planned = await reserveCapacity(fresh, deps.store, caps, at);
  }
  const { created, record } = await deps.store.putIncident(planned, at);
  const incident = record.incident;
  const received = await deps.audit.append({
    incident: incident.id,
    event: 'ingest',
    data: { origin: ingested.origin, findingId: finding.id, source: finding.source, sha256: ingested.rawSha256, redelivery: !created },
  });
  if (created) {
    await deps.evidence.recordFinding(incident.id, ingested, { receivedAt: at, actor: cordonActor(MODE), auditHash: received.hash });
    await deps.audit.append({
      incident: incident.id,
      event: 'plan',
      data: { playbook: incident.playbook, mode: MODE, steps: incident.steps.map((s) => s.id), skipped: incident.skipped, clocks: incident.clocks },
    });
    await deps.publish?.(incidentOpened(incident, at));
  }
  const base = { incidentId: incident.id, findingId: finding.id, playbook: incident.playbook, created, skipped: incident.skipped.map((s) => `${s.action} ${s.target.id}: ${s.reason}`) };
  // A high or critical incident that planned no containment or preservation goes to a person (DESIGN.md §4).
  const escalation = plannedEscalation(incident);
  if (escalation !== undefined && created) {
    await deps.audit.append({ incident: incident.id, event: 'incident.status', data: { status: 'escalated', reason: escalation } });
    await deps.store.setIncidentStatus(incident.id, 'escalated', at);
    await deps.escalate?.(incident.id, escalation);
  }
  if (incident.playbook === null || incident.steps.length === 0) return { ...base, outcome: escalation === undefined ? 'no-action' : 'escalated' };
  const started = await deps.start(incident, workflowInput(incident, MODE));
  return { ...base, outcome: started.status, executionArn: started.executionArn };
}
