import type { ActionResult, ErrorClass } from '../core/actions/types.js';
import type { Incident, Mode, Phase, Target } from '../core/model.js';
import type { AuditLog } from '../records/audit-log.js';
import type { CaseStore } from '../records/case-store.js';
import { cordonActor, type EvidenceStore } from '../records/evidence.js';
import { claimFor, stepOwner } from '../records/step-lease.js';
import type { StateMachine } from '../../workflows/asl.js';
import { workflowInput, type StepInput } from '../../workflows/input.js';
import { runWorkflow, type ApprovalAnswer, type ApprovalRequest, type EscalationSummary, type StepEvent } from '../../workflows/runner.js';
import type { PlannedFinding } from './planning.js';

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
  /** contained: every step done; escalated: a step failed; no-action: no playbook or nothing to run. */
  status: 'contained' | 'escalated' | 'no-action';
  escalated: boolean;
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
  audit: AuditLog;
  evidence: EvidenceStore;
  definitionFor(playbookId: string): StateMachine;
  /** Runs one action on one target (the action runner: registry + cloud clients). */
  executeAction(input: StepInput): Promise<ActionResult>;
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
 * workflow runs (the same ASL the cloud runs), every step is claimed before it acts so a
 * redelivery or a second process never applies an effect twice, and evidence is filed.
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
    stepId: `${s.action}:${s.target.id}`,
    action: s.action,
    target: s.target,
    phase: s.phase,
    status: 'skipped',
    reason: `${s.reason}: ${s.detail}`,
    calls: [],
    attempts: 0,
  }));

  if (incident.playbook === null || incident.steps.length === 0) {
    const report: IncidentReport = { incident, origin: ingested.origin, deliveries: planned.deliveries, status: 'no-action', escalated: false, steps: skippedByPlan, startedAt, finishedAt: deps.now().toISOString() };
    deps.onEvent?.({ kind: 'done', report });
    return report;
  }

  const summaries = new Map<string, string>();
  const outcome = await runWorkflow(deps.definitionFor(incident.playbook), workflowInput(incident, deps.mode), {
    runAction: async (input) => {
      const result = await runClaimed(input, deps, actor);
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
  const escalated = outcome.escalated || steps.some((s) => s.status === 'failed');
  const finishedAt = deps.now().toISOString();
  await deps.store.setIncidentStatus(incident.id, escalated ? 'escalated' : 'contained', finishedAt);
  await deps.audit.append({ incident: incident.id, event: 'incident.status', data: { status: escalated ? 'escalated' : 'contained', workflow: outcome.status, steps: steps.map((s) => ({ step: s.stepId, status: s.status })) } });
  const report: IncidentReport = { incident, origin: ingested.origin, deliveries: planned.deliveries, status: escalated ? 'escalated' : 'contained', escalated, steps, startedAt, finishedAt };
  deps.onEvent?.({ kind: 'done', report });
  return report;
}

/** One action run, guarded by the case store's claim: a step already done reports `already-done`. */
export async function runClaimed(input: StepInput, deps: Pick<ResponderDeps, 'store' | 'audit' | 'evidence' | 'executeAction' | 'now'>, actor: string): Promise<ActionResult> {
  const at = deps.now().toISOString();
  const previous = await deps.store.getStep(input.incidentId, input.stepId);
  if (previous && (previous.status === 'succeeded' || previous.status === 'skipped')) {
    return { status: 'skipped', reason: 'already-done', summary: `already ${previous.status} at ${previous.finishedAt ?? previous.startedAt}` };
  }
  // A step left running by a process that died (or whose lease ran out) is taken over, not skipped forever.
  const claim = claimFor(previous, stepOwner(actor), at);
  const claimed = await deps.store.claimStep(input.incidentId, input.stepId, claim);
  if (!claimed) return { status: 'skipped', reason: 'already-done', summary: 'another run holds this step' };
  const takeover = previous?.status === 'running' ? { takeover: { from: previous.owner, startedAt: previous.startedAt } } : {};

  await deps.audit.append({ incident: input.incidentId, event: 'step.start', data: { step: input.stepId, action: input.action, target: input.target, account: input.account, region: input.region, ...takeover } });
  if (input.target.type !== 'incident' && input.target.type !== 'finding') await deps.store.recordAction(input.account, at);
  const result = await deps.executeAction(input);
  const finishedAt = deps.now().toISOString();

  if (result.status === 'succeeded') {
    await deps.store.finishStep(input.incidentId, input.stepId, { status: 'succeeded', before: result.before, after: result.after, finishedAt });
    for (const clock of result.clocks ?? []) {
      await deps.audit.append({ incident: input.incidentId, event: 'clock.opened', data: clock });
    }
  } else if (result.status === 'skipped') {
    await deps.store.finishStep(input.incidentId, input.stepId, { status: 'skipped', reason: result.reason, before: result.before, finishedAt });
  } else {
    await deps.store.finishStep(input.incidentId, input.stepId, { status: 'failed', errorClass: result.errorClass, reason: result.message, finishedAt });
  }
  const record = await deps.audit.append({
    incident: input.incidentId,
    event: 'step.end',
    data: {
      step: input.stepId,
      status: result.status,
      ...(result.status === 'succeeded' ? { before: result.before, after: result.after, summary: result.summary } : {}),
      ...(result.status === 'skipped' ? { reason: result.reason, summary: result.summary } : {}),
      ...(result.status === 'failed' ? { errorClass: result.errorClass, message: result.message } : {}),
    },
  });
  if (result.status === 'succeeded' && result.evidence.length > 0) {
    await deps.evidence.recordStep(input.incidentId, { stepId: input.stepId, actor, at: finishedAt, items: result.evidence, auditHash: record.hash });
  }
  return result;
}
