import type { ActionInput } from '../functions/core/actions/types.js';
import type { ActionName, Clock, ClockRegime, Incident, Mode, Phase, PlannedStep } from '../functions/core/model.js';

/**
 * The execution input every compiled workflow takes: the planner's steps grouped by phase and
 * action, so each of the playbook's actions is one Map over its targets.
 */

/** What one Task hands the action runner: the action input plus whether a person must approve first. */
export interface StepInput extends ActionInput {
  approval: boolean;
  /** A person's answer, present once the workflow asked for one (the approval state's result). */
  approvalDecision?: { approved: boolean; by?: string; reason?: string };
}

/** `quarantine-instance` → `quarantine_instance`: a JSONPath member name without brackets. */
export type ActionKey = string;

export interface WorkflowInput {
  incident: { id: string; playbook: string; mode: Mode; findingId: string };
  phases: Record<Phase, Record<ActionKey, StepInput[]>>;
}

export function actionKey(action: ActionName): ActionKey {
  return action.replaceAll('-', '_');
}

function stepInput(incident: Incident, step: PlannedStep, mode: Mode): StepInput {
  const { finding } = incident;
  const ref: StepInput['finding'] = { id: finding.id, source: finding.source, observedAt: finding.observedAt };
  // Optional fields are left out rather than set to undefined: the input is JSON.
  if (finding.productArn !== undefined) ref.productArn = finding.productArn;
  if (finding.alertResourceId !== undefined) ref.alertResourceId = finding.alertResourceId;
  return {
    incidentId: incident.id,
    stepId: step.id,
    action: step.action,
    target: { type: step.target.type, id: step.target.id },
    account: step.account,
    region: step.region,
    mode,
    finding: ref,
    params: { ...step.params },
    approval: step.approval,
  };
}

/** Builds the execution input from the planner's incident (pure). Skipped steps are not part of it. */
export function workflowInput(incident: Incident, mode: Mode): WorkflowInput {
  if (incident.playbook === null) throw new Error(`incident ${incident.id} has no playbook to run`);
  const phases: WorkflowInput['phases'] = { contain: {}, preserve: {}, notify: {} };
  for (const step of incident.steps) {
    const group = (phases[step.phase][actionKey(step.action)] ??= []);
    group.push(stepInput(incident, step, mode));
  }
  return {
    incident: { id: incident.id, playbook: incident.playbook, mode, findingId: incident.finding.id },
    phases,
  };
}

/** The clock-watch machine's input: one clock, its reminder time and its deadline (ISO-8601 UTC). */
export interface ClockWatchInput {
  incidentId: string;
  regime: ClockRegime;
  awareAt: string;
  deadline: string;
  remindAt: string;
}

/** Reminder `remindBeforeMs` ahead of the deadline, never before awareness. */
export function clockWatchInput(incidentId: string, clock: Clock, remindBeforeMs: number): ClockWatchInput {
  const deadline = Date.parse(clock.deadline);
  const remindAt = Math.max(Date.parse(clock.awareAt), deadline - remindBeforeMs);
  return { incidentId, regime: clock.regime, awareAt: clock.awareAt, deadline: clock.deadline, remindAt: new Date(remindAt).toISOString() };
}

/** Every step of an input, in phase order. */
export function stepsOf(input: WorkflowInput): StepInput[] {
  return [...Object.values(input.phases.contain), ...Object.values(input.phases.preserve), ...Object.values(input.phases.notify)].flat();
}
