import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { PlannedCall } from '../core/actions/types.js';
import type { Incident, IngestedFinding } from '../core/model.js';
import type { Playbook } from '../core/playbooks/schema.js';
import { planManualRun } from '../core/plan/manual.js';
import { planSettingsFor, type Settings } from '../config/settings.js';
import { plannedCalls } from '../actions/registry.js';
import { ESTATE_JSON, homeEstatePath, loadEstateFile, saveEstate, startSimulatedEstate, type EstateFile, type SimulatedEstate } from '../sim/estate.js';
import { workflowInput, stepsOf } from '../../workflows/input.js';
import type { IncidentReport, ResponderEvent } from './responder.js';
import { exerciseHome, openLocalRecords } from './runtime.js';
import { runLocally } from './session.js';
import type { UseCase } from './use-case.js';

/** One playbook on one target, by hand (`cordon run`). */
export interface ManualRunRequest {
  playbook: Playbook;
  target: string;
  settings: Settings;
  /** Account / subscription and region of the target when its id does not carry them. */
  account?: string;
  region?: string;
  now?: () => Date;
}

export interface ManualPlan {
  incident: Incident;
  /** Each step and the exact API calls it would make (the dry run). */
  calls: { step: string; calls: PlannedCall[] }[];
}

/** Plans the manual run (no side effects); an AWS target with no region anywhere is bad input. */
export function planManual(request: ManualRunRequest): ManualPlan {
  const now = (request.now ?? (() => new Date()))();
  const incident = planManualRun(request.playbook, request.target, {
    ...planSettingsFor(request.settings, { now, mode: 'manual' }),
    ...(request.account ? { account: request.account } : {}),
    ...(request.region ? { region: request.region } : {}),
  });
  if (request.playbook.cloud === 'aws' && incident.steps.some((s) => s.region === '' && s.target.type !== 'incident')) {
    throw new UsageError(`run: --region is needed: '${request.target}' does not say its region; pass --region or set AWS_REGION (or add --sim for the simulated estate)`);
  }
  const calls = incident.steps.length > 0 ? stepsOf(workflowInput(incident, 'manual')).map((s) => ({ step: s.stepId, calls: plannedCalls(s) })) : [];
  return { incident, calls };
}

export interface ManualRunOptions extends ManualRunRequest {
  playbooks: readonly Playbook[];
  /** Act on the simulated estate (derived from the target, or this estate file) in a run directory of its own; absent = the real clouds, records in the Cordon home. */
  sim?: { estate?: EstateFile };
  /** Who asked (recorded in the raw "event" of the run). */
  by: string;
}

export interface ManualRunOutcome {
  /** Where the records went. */
  home: string;
  reports: IncidentReport[];
  failed: boolean;
}

/** `cordon run --execute` (not `--cloud`): the playbook's workflow in this process, every step through the step engine. */
export const runManual: UseCase<ManualRunOptions, ResponderEvent, ManualRunOutcome> = async (options, observe) => {
  const now = (options.now ?? (() => new Date()))();
  const { incident } = planManual({ ...options, now: () => now });
  // A home holding estate.json (a tabletop run directory) is continued: its records and its estate (DESIGN §3).
  const continued = options.sim && !options.sim.estate ? homeEstatePath(options.settings.home) : undefined;
  const home = options.sim && !continued ? exerciseHome(options.settings.home, now, 'run-') : options.settings.home;
  mkdirSync(home, { recursive: true });
  const records = openLocalRecords(home);
  let estate: SimulatedEstate | undefined;
  if (options.sim) estate = await startSimulatedEstate({ file: options.sim.estate ?? (continued ? loadEstateFile(continued) : undefined), findings: [incident.finding] });
  const raw = { manualRun: { playbook: options.playbook.id, target: options.target, by: options.by, at: now.toISOString() } };
  const ingested: IngestedFinding = { finding: incident.finding, raw, rawSha256: '', origin: `cordon run${options.sim ? ' --sim' : ''}` };
  let reports: IncidentReport[];
  try {
    reports = await runLocally([{ incident, ingested, deliveries: 1 }], {
      mode: 'manual',
      playbooks: options.playbooks,
      records,
      ...(estate ? { estate } : {}),
      ...(observe ? { onEvent: observe } : {}),
    });
  } finally {
    await estate?.close();
    await records.close();
  }
  if (estate) saveEstate(estate, join(home, ESTATE_JSON));
  return { home, reports, failed: reports.some((r) => r.steps.some((s) => s.status === 'failed')) };
};
