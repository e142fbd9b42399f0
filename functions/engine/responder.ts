import type { ActionResult, ErrorClass, EvidenceItem, EvidenceSink } from '../core/actions/types.js';
import { stepId } from '../core/incident-id.js';
import type { Incident, Mode, Phase, Target } from '../core/model.js';
import { incidentVerdict, type EvidenceAtRisk, type Eviction, type IncidentVerdict } from '../core/verdict.js';
import type { AuditTrail } from '../records/audit-log.js';
import type { CaseStore } from '../records/case-store.js';
import { cordonActor, manifestItems, type EvidenceStore } from '../records/evidence.js';
import type { StateMachine } from '../../workflows/asl.js';
import { workflowInput, type StepInput } from '../../workflows/input.js';
import { runWorkflow, type ApprovalAnswer, type ApprovalRequest, type EscalationSummary, type StepEvent } from '../../workflows/runner.js';
import type { PlannedFinding } from './planning.js';
import { runStep, type LiveSafetyCheck } from './run-step.js';
import { plannedEscalation } from '../core/plan/escalation.js';

/** One step as the responder reports it (the tabletop JSON's `steps[]`). */
export interface StepReport {
  stepId: string;
  action: string;
  target: Target;
  phase: Phase;
  status: 'succeeded' | 'skipped' | 'failed';
  reason?: string;
  errorClass?: ErrorClass;
  /** Operations the cloud served for this step, permission-style (`ec2:CreateSnapshots`). */
  calls: string[];
  startedAt?: string;
  finishedAt?: string;
  attempts: number;
  summary?: string;
}

export interface IncidentReport {
  incident: Incident;
  origin: string;
  deliveries: number;
  /** DESIGN §3: contained only when every foothold is closed and a step acted (see incidentVerdict). */
  status: IncidentVerdict;
  /** A step failed, or the workflow escalated. */
  escalated: boolean;
  /** The footholds of the incident and which are still open (known on the simulated estate). */
  eviction?: Eviction;
  evidenceAtRisk?: EvidenceAtRisk[];
  /** What the evidence manifest holds for the incident when its workflow ended (each item with its lock and copy). */
  evidence?: EvidenceItem[];
  steps: StepReport[];
  startedAt: string;
  finishedAt: string;
}

export type ResponderEvent =
  | { kind: 'incident'; incident: Incident; origin: string }
  | { kind: 'step'; incidentId: string; event: StepEvent }
  | { kind: 'done'; report: IncidentReport };

export interface ResponderDeps {
  mode: Mode;
  store: CaseStore;
  audit: AuditTrail;
  evidence: EvidenceStore;
  definitionFor(playbookId: string): StateMachine;
  /** Runs one action on one target (the action runner: registry + cloud clients). */
  executeAction(input: StepInput, evidence: EvidenceSink): Promise<ActionResult>;
  /** Live safety checks every step passes before it acts (engine/run-step.ts). */
  checks?: readonly LiveSafetyCheck[];
  /** After the workflow: the incident's footholds and evidence at risk, when an attacker model knows them. */
  assessEviction?(incident: Incident): { eviction: Eviction; evidenceAtRisk: EvidenceAtRisk[] } | undefined;
  /** The calls the (simulated) cloud served for a step, when known. */
  callsFor?(incidentId: string, stepId: string): string[];
  requestApproval?(req: ApprovalRequest): Promise<ApprovalAnswer>;
  escalate?(summary: EscalationSummary): Promise<void>;
  onEvent?(e: ResponderEvent): void;
  now(): Date;
  /** Time compression for waits and retry pauses. */
  speed?: number;
}

/**
 * Record → run → record, for one planned finding: the incident is stored and audited, its
 * workflow runs (the same ASL the cloud runs), every step goes through the step engine in
 * process (engine/run-step.ts: claimed before it acts so a redelivery or a second process never
 * applies an effect twice, audited, its evidence filed).
 */
export async function respond(planned: PlannedFinding, deps: ResponderDeps): Promise<IncidentReport> {
  const { incident, ingested } = planned;
  const actor = cordonActor(deps.mode);
  const startedAt = deps.now().toISOString();
  deps.onEvent?.({ kind: 'incident', incident, origin: ingested.origin });

  const { created } = await deps.store.putIncident(incident, startedAt);
  const received = await deps.audit.append({
    incident: incident.id,
    event: 'ingest',
    data: { origin: ingested.origin, findingId: incident.finding.id, source: incident.finding.source, sha256: ingested.rawSha256, redelivery: !created },
  });
  if (created) await deps.evidence.recordFinding(incident.id, ingested, { receivedAt: startedAt, actor, auditHash: received.hash });
  await deps.audit.append({
    incident: incident.id,
    event: 'plan',
    data: { playbook: incident.playbook, mode: deps.mode, steps: incident.steps.map((s) => s.id), skipped: incident.skipped, clocks: incident.clocks },
  });

  const skippedByPlan: StepReport[] = incident.skipped.map((s) => ({
    stepId: stepId(s.action, s.target),
    action: s.action,
    target: s.target,
    phase: s.phase,
    status: 'skipped',
    reason: `${s.reason}: ${s.detail}`,
    calls: [],
    attempts: 0,
  }));

  // A high or critical incident that planned no containment or preservation goes to a person (DESIGN.md §4).
  const escalation = plannedEscalation(incident);
  if (escalation !== undefined && incident.playbook !== null) {
    await deps.audit.append({ incident: incident.id, event: 'incident.status', data: { status: 'escalated', reason: escalation } });
    await deps.store.setIncidentStatus(incident.id, 'escalated', deps.now().toISOString());
    await deps.escalate?.({ incidentId: incident.id, playbook: incident.playbook, subject: escalation, failed: [] });
  }
  if (incident.playbook === null || incident.steps.length === 0) {
    const assessed = deps.assessEviction?.(incident);
    const status = incidentVerdict({ planned: 0, steps: skippedByPlan, ...(assessed ? { eviction: assessed.eviction } : {}) });
    const escalated = escalation !== undefined;
    const report: IncidentReport = { incident, origin: ingested.origin, deliveries: planned.deliveries, status, escalated, ...(assessed ?? {}), steps: skippedByPlan, startedAt, finishedAt: deps.now().toISOString() };
    if (assessed) await deps.audit.append({ incident: incident.id, event: 'incident.status', data: { status, escalated, eviction: assessed.eviction, evidenceAtRisk: assessed.evidenceAtRisk } });
    deps.onEvent?.({ kind: 'done', report });
    return report;
  }

  const summaries = new Map<string, string>();
  const outcome = await runWorkflow(deps.definitionFor(incident.playbook), workflowInput(incident, deps.mode), {
    runAction: async (input) => {
      const result = await runStep(input, deps);
      summaries.set(input.stepId, 'summary' in result ? result.summary : result.message);
      return result;
    },
    requestApproval: deps.requestApproval,
    escalate: async (summary) => {
      await deps.audit.append({ incident: incident.id, event: 'incident.status', data: { status: 'escalated', subject: summary.subject, failed: summary.failed.map((f) => ({ step: f.stepId, errorClass: f.errorClass, reason: f.reason })) } });
      await deps.escalate?.(summary);
    },
    onStepEvent: (event) => deps.onEvent?.({ kind: 'step', incidentId: incident.id, event }),
    speed: deps.speed,
  });

  const steps: StepReport[] = [
    ...outcome.steps.map((s) => {
      const report: StepReport = {
        stepId: s.stepId,
        action: s.action,
        target: s.target,
        phase: s.phase,
        status: s.status,
        calls: deps.callsFor?.(incident.id, s.stepId) ?? [],
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        attempts: s.attempts,
      };
      if (s.reason !== undefined) report.reason = s.reason;
      if (s.errorClass !== undefined) report.errorClass = s.errorClass;
      const summary = summaries.get(s.stepId);
      if (summary !== undefined) report.summary = summary;
      return report;
    }),
    ...skippedByPlan,
  ];
  const escalated = outcome.escalated || steps.some((s) => s.status === 'failed') || escalation !== undefined;
  const assessed = deps.assessEviction?.(incident);
  const status = incidentVerdict({ planned: incident.steps.length, steps, ...(assessed ? { eviction: assessed.eviction } : {}) });
  const finishedAt = deps.now().toISOString();
  await deps.store.setIncidentStatus(incident.id, escalated ? 'escalated' : status === 'contained' ? 'contained' : 'open', finishedAt);
  await deps.audit.append({
    incident: incident.id,
    event: 'incident.status',
    data: { status, escalated, workflow: outcome.status, steps: steps.map((s) => ({ step: s.stepId, status: s.status })), ...(assessed ? { eviction: assessed.eviction, evidenceAtRisk: assessed.evidenceAtRisk } : {}) },
  });
  const evidence = manifestItems(deps.evidence.read(incident.id));
  const report: IncidentReport = { incident, origin: ingested.origin, deliveries: planned.deliveries, status, escalated, ...(assessed ?? {}), evidence, steps, startedAt, finishedAt };
  deps.onEvent?.({ kind: 'done', report });
  return report;
}
