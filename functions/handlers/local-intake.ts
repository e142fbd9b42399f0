import type { IngestResult } from '../core/findings/ingest.js';
import { latestPerIncident } from '../core/incident-id.js';
import type { Playbook } from '../core/playbooks/schema.js';
import type { Router } from '../core/playbooks/match.js';
import { planIncident, planSettings } from '../core/plan/plan.js';
import type { PlannedFinding } from '../engine/planning.js';
import type { LocalRecords } from '../engine/runtime.js';
import { runLocally } from '../engine/session.js';
import type { SimulatedEstate } from '../sim/estate.js';
import { keepRejected, type IntakeOutcome } from './intake.js';

/**
 * The intake of an edge running outside the cloud deployment (`func start` on a laptop, a
 * tabletop): the local engine records, runs and audits each incident itself (engine/session.ts),
 * in automatic mode, against the simulated estate when one is given.
 */
export interface LocalIntakeOptions {
  records: LocalRecords;
  playbooks: readonly Playbook[];
  router: Router;
  estate?: SimulatedEstate;
  now?: () => Date;
}

export function localIntake(options: LocalIntakeOptions): (result: IngestResult, rawEvent: unknown) => Promise<IntakeOutcome> {
  return async (result, rawEvent) => {
    await keepRejected(options.records.audit, result.rejected, rawEvent);
    const now = (options.now ?? (() => new Date()))();
    const planned: PlannedFinding[] = latestPerIncident(result.findings).map(({ ingested, deliveries }) => ({
      incident: planIncident(ingested.finding, options.router(ingested.finding), planSettings({ now, mode: 'automatic' })),
      ingested,
      deliveries,
    }));
    const reports = await runLocally(planned, {
      mode: 'automatic',
      playbooks: options.playbooks,
      records: options.records,
      ...(options.estate ? { estate: options.estate } : {}),
    });
    return {
      rejected: result.rejected,
      incidents: reports.map((r) => ({
        incidentId: r.incident.id,
        findingId: r.incident.finding.id,
        playbook: r.incident.playbook,
        created: true,
        outcome: r.escalated ? 'escalated' : r.status,
        skipped: r.incident.skipped.map((s) => `${s.action} ${s.target.id}: ${s.reason}`),
      })),
    };
  };
}
