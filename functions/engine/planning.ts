import { ingestText } from '../core/findings/ingest.js';
import type { Incident, IngestedFinding, Rejected } from '../core/model.js';
import type { Router } from '../core/playbooks/match.js';
import { latestPerIncident } from '../core/incident-id.js';
import { isResourceTarget } from '../core/model.js';
import { planIncident, type PlanSettings } from '../core/plan/plan.js';
import type { InputFile } from './inputs.js';

export interface PlannedFinding {
  incident: Incident;
  ingested: IngestedFinding;
  /** How many times this finding arrived in the inputs (redeliveries, count updates). */
  deliveries: number;
}

export interface PlanBatch {
  planned: PlannedFinding[];
  rejected: Rejected[];
  validations: { validationCode: string; origin: string }[];
  graphAlertRefs: { alertId: string; origin: string }[];
}

/**
 * Ingest → route → plan over many inputs. Pure apart from the inputs it is given.
 * The same finding delivered twice plans once (incident ids are deterministic), so a
 * storm of count updates collapses to one incident per finding; the latest copy is the one planned. The per-account hourly action
 * cap counts cumulatively across the batch (starting from `settings.actionsThisHour`), so a storm
 * cannot exceed it by arriving all at once.
 */
export function planBatch(inputs: readonly InputFile[], router: Router, settings: PlanSettings): PlanBatch {
  const batch: PlanBatch = { planned: [], rejected: [], validations: [], graphAlertRefs: [] };
  const counts: Record<string, number> = { ...(settings.actionsThisHour ?? {}) };
  const findings: IngestedFinding[] = [];
  for (const input of inputs) {
    if ('rejected' in input) {
      batch.rejected.push(input.rejected);
      continue;
    }
    const result = ingestText(input.text, input.origin);
    batch.rejected.push(...result.rejected);
    batch.graphAlertRefs.push(...result.graphAlertRefs);
    for (const v of result.validations) batch.validations.push({ validationCode: v.validationCode, origin: input.origin });
    findings.push(...result.findings);
  }
  // One incident per finding (and per breach: a relayed copy joins its original); the latest copy is planned.
  for (const { ingested, deliveries } of latestPerIncident(findings)) {
    const incident = planIncident(ingested.finding, router(ingested.finding), { ...settings, actionsThisHour: counts });
    for (const step of incident.steps) {
      if (isResourceTarget(step.target)) counts[step.account] = (counts[step.account] ?? 0) + 1;
    }
    batch.planned.push({ incident, ingested, deliveries });
  }
  return batch;
}
