import { ingestText } from '../core/findings/ingest.js';
import type { Finding, Incident, IngestedFinding, Rejected } from '../core/model.js';
import type { Router } from '../core/playbooks/match.js';
import { latestPerIncident } from '../core/incident-id.js';
import { isResourceTarget } from '../core/model.js';
import { planIncident, type PlanSettings } from '../core/plan/plan.js';
import type { InputFile } from './inputs.js';
import { DEFAULT_TRUST } from '../core/trust/trust.js';
import { withDefaultScope, type Scope } from '../config/settings.js';

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
export interface BatchOptions {
  /**
   * A tabletop or `--sim` run: where nothing is configured, the allowed accounts are the estate's
   * (given here) and those of the findings replayed (DESIGN.md §4).
   */
  exerciseScope?: Scope;
}

export function planBatch(inputs: readonly InputFile[], router: Router, settings: PlanSettings, options: BatchOptions = {}): PlanBatch {
  const batch: PlanBatch = { planned: [], rejected: [], validations: [], graphAlertRefs: [] };
  const counts: Record<string, number> = { ...(settings.actionsThisHour ?? {}) };
  let orgActions = settings.orgActionsThisHour ?? 0;
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
  const scoped = options.exerciseScope ? { ...settings, trust: withDefaultScope(settings.trust ?? DEFAULT_TRUST, scopeWith(options.exerciseScope, findings.map((i) => i.finding))) } : settings;
  // One incident per finding (and per breach: a relayed copy joins its original); the latest copy is planned.
  for (const { ingested, deliveries } of latestPerIncident(findings)) {
    const incident = planIncident(ingested.finding, router(ingested.finding), { ...scoped, actionsThisHour: counts, orgActionsThisHour: orgActions });
    for (const step of incident.steps) {
      if (isResourceTarget(step.target)) {
        counts[step.account] = (counts[step.account] ?? 0) + 1;
        orgActions += 1;
      }
    }
    batch.planned.push({ incident, ingested, deliveries });
  }
  return batch;
}

/** The exercise's accounts plus the findings' own: an Azure finding's account is its subscription, or its tenant for a Graph alert. */
function scopeWith(scope: Scope, findings: readonly Finding[]): Scope {
  const out = { accounts: [...scope.accounts], subscriptions: [...scope.subscriptions], tenants: [...scope.tenants] };
  for (const f of findings) {
    if (f.cloud === 'aws') out.accounts.push(f.account);
    else {
      out.subscriptions.push(f.account);
      out.tenants.push(f.account);
    }
  }
  return out;
}
