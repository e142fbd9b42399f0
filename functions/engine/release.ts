import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { actionSpec } from '../core/actions/catalog.js';
import type { ActionResult, ReleaseInput } from '../core/actions/types.js';
import type { ActionName, Target } from '../core/model.js';
import type { Settings } from '../config/settings.js';
import { ALL_ACTIONS } from '../actions/registry.js';
import { lookupAction } from '../actions/dispatch.js';
import { createAwsClients, SIM_CREDENTIALS } from '../adapters/aws/clients.js';
import { createAzureClients } from '../adapters/azure/clients.js';
import { withStep } from '../adapters/step-context.js';
import { AuditLog, type AuditRecord } from '../records/audit-log.js';
import { ESTATE_JSON, homeEstatePath, loadEstateFile, saveEstate, startSimulatedEstate } from '../sim/estate.js';
import { stepCorrelation } from './runtime.js';
import type { UseCase } from './use-case.js';

/** One step of an incident as the audit log tells it: what ran, on what, and the state it found. */
export interface RecordedStep {
  stepId: string;
  action: ActionName;
  target: Target;
  account: string;
  region: string;
  before: unknown;
  after: unknown;
  /** Seq of the step's last `step.end` (succeeded). */
  endSeq: number;
  /** Seq of the last successful `release.<action>` of the step, if any. */
  releasedSeq?: number;
}

export type ReleaseStatus = 'released' | 'would-release' | 'already-released' | 'already-done' | 'not-releasable' | 'failed';

export interface ReleaseStepOutcome {
  step: string;
  action: string;
  target: string;
  status: ReleaseStatus;
  /** The before-state recorded in the audit log: what release restores. */
  restores: unknown;
  summary: string;
  errorClass?: string;
}

export interface ReleaseOptions {
  incident: string;
  /** Only this step (`ACTION:TARGET`). */
  step?: string;
  settings: Settings;
  /** Dry run unless true. */
  execute: boolean;
  /** Act on the simulated estate of $CORDON_HOME (its estate.json), and write it back. */
  sim: boolean;
  now?: () => Date;
}

export interface ReleaseOutcome {
  incident: string;
  execute: boolean;
  steps: ReleaseStepOutcome[];
  audit: { records: number; head: string; file: string };
  estate?: string;
  failed: boolean;
}

function readAudit(path: string): AuditRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

interface StepStartData { step: string; action: ActionName; target: Target; account: string; region: string }
interface StepEndData { step: string; status: string; before?: unknown; after?: unknown }

/**
 * The incident's steps that changed something, from the audit log alone (never from tags or the
 * case store): each step's last successful `step.end` and its `before`, and whether a
 * `release.<action>` record already undid it since.
 */
export function recordedSteps(records: readonly AuditRecord[], incident: string): RecordedStep[] {
  const started = new Map<string, StepStartData>();
  const steps = new Map<string, RecordedStep>();
  for (const r of records) {
    if (r.incident !== incident) continue;
    if (r.event === 'step.start') {
      const d = r.data as StepStartData;
      started.set(d.step, d);
    } else if (r.event === 'step.end') {
      const d = r.data as StepEndData;
      const start = started.get(d.step);
      if (d.status !== 'succeeded' || !start || d.before === undefined) continue;
      steps.set(d.step, { stepId: d.step, action: start.action, target: start.target, account: start.account, region: start.region, before: d.before, after: d.after, endSeq: r.seq });
    } else if (r.event.startsWith('release.')) {
      const d = r.data as { step: string; status: string };
      const s = steps.get(d.step);
      if (s && (d.status === 'succeeded' || d.status === 'skipped')) s.releasedSeq = r.seq;
    }
  }
  return [...steps.values()];
}

/**
 * `cordon release`: undoes the incident's steps from the before-states in the audit log. A dry
 * run says what each step would restore; with `execute`, each restore goes through the action's
 * own `release` and is audited as `release.<action>`. Preservation is never undone; a step
 * already released is not released again.
 */
export const releaseIncident: UseCase<ReleaseOptions, ReleaseStepOutcome, ReleaseOutcome> = async (options, observe) => {
  const now = options.now ?? (() => new Date());
  const home = options.settings.home;
  const audit = AuditLog.inHome(home);
  const all = recordedSteps(readAudit(audit.path), options.incident);
  if (all.length === 0 && !readAudit(audit.path).some((r) => r.incident === options.incident)) {
    throw new UsageError(`release: no incident '${options.incident}' in ${audit.path}`);
  }
  const chosen = options.step === undefined ? all : all.filter((s) => s.stepId === options.step);
  if (options.step !== undefined && chosen.length === 0) throw new UsageError(`release: --step '${options.step}' did not change anything in incident ${options.incident} (steps: ${all.map((s) => s.stepId).join(', ') || 'none'})`);

  const estatePath = options.sim ? homeEstatePath(home) : undefined;
  if (options.sim && options.execute && !estatePath) throw new UsageError(`release: --sim needs a CORDON_HOME holding ${ESTATE_JSON} (a tabletop run directory); ${home} has none`);
  const estate = options.execute && estatePath ? await startSimulatedEstate({ file: loadEstateFile(estatePath) }) : undefined;
  const endpoint = estate ? { endpoint: estate.url } : {};
  const awsClients = new Map<string, ReturnType<typeof createAwsClients>>();
  const azureClients = new Map<string, ReturnType<typeof createAzureClients>>();
  const aws = (region: string) => awsClients.get(region) ?? awsClients.set(region, createAwsClients({ region, ...(estate ? { endpoint: estate.url, credentials: SIM_CREDENTIALS } : {}) })).get(region)!;
  const azure = (subscriptionId: string) => azureClients.get(subscriptionId) ?? azureClients.set(subscriptionId, createAzureClients({ subscriptionId, ...endpoint })).get(subscriptionId)!;

  const steps: ReleaseStepOutcome[] = [];
  let failed = false;
  try {
    for (const s of chosen) {
      const base = { step: s.stepId, action: s.action, target: s.target.id, restores: s.before };
      const entry = actionSpec(s.action).releasable ? lookupAction(ALL_ACTIONS, s.action) : undefined;
      let outcome: ReleaseStepOutcome;
      if (!entry || !entry.module.release) {
        outcome = { ...base, status: 'not-releasable', summary: actionSpec(s.action).releasable ? `${s.action} changes nothing a release can put back` : `${s.action} is preservation: never undone` };
      } else if (s.releasedSeq !== undefined && s.releasedSeq > s.endSeq) {
        outcome = { ...base, status: 'already-released', summary: `released already (audit record ${s.releasedSeq})` };
      } else if (!options.execute) {
        outcome = { ...base, status: 'would-release', summary: `would restore the state recorded at audit record ${s.endSeq}` };
      } else {
        const input: ReleaseInput = { incidentId: options.incident, stepId: s.stepId, action: s.action, target: s.target, account: s.account, region: s.region, before: s.before, after: s.after };
        const run = (): Promise<ActionResult> => {
          switch (entry.cloud) {
            case 'aws':
              return entry.module.release!(input, { clients: aws(s.region), now });
            case 'azure':
              return entry.module.release!(input, { clients: azure(s.account), now });
            case 'cordon':
              throw new Error(`${s.action} has no cloud state to release`);
          }
        };
        let result: ActionResult;
        try {
          result = await withStep(stepCorrelation({ incidentId: options.incident, stepId: `release:${s.stepId}` }), run);
        } catch (e) {
          result = { status: 'failed', errorClass: 'Unknown', message: (e as Error).message };
        }
        await audit.append({
          incident: options.incident,
          event: `release.${s.action}`,
          data: {
            step: s.stepId,
            status: result.status,
            releases: s.endSeq,
            ...(result.status === 'succeeded' ? { before: result.before, after: result.after, summary: result.summary } : {}),
            ...(result.status === 'skipped' ? { reason: result.reason, summary: result.summary, before: result.before } : {}),
            ...(result.status === 'failed' ? { errorClass: result.errorClass, message: result.message } : {}),
          },
        });
        outcome =
          result.status === 'succeeded'
            ? { ...base, status: 'released', summary: result.summary }
            : result.status === 'skipped'
              ? { ...base, status: 'already-done', summary: result.summary }
              : { ...base, status: 'failed', summary: result.message, errorClass: result.errorClass };
        if (result.status === 'failed') failed = true;
      }
      steps.push(outcome);
      observe?.(outcome);
    }
  } finally {
    await estate?.close();
  }
  if (estate && estatePath) saveEstate(estate, join(home, ESTATE_JSON));
  const head = audit.head();
  return { incident: options.incident, execute: options.execute, steps, audit: { records: head.records, head: head.hash, file: audit.path }, ...(estatePath ? { estate: estatePath } : {}), failed };
};
