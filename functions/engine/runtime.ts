import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SIM_CREDENTIALS, createAwsClients } from '../adapters/aws/clients.js';
import { createAzureClients } from '../adapters/azure/clients.js';
import { withStep } from '../adapters/step-context.js';
import { CallScheduler, withCallPhase } from '../adapters/aws/call-scheduler.js';
import { ACTION_CATALOG, actionSpec } from '../core/actions/catalog.js';
import { readAwsLiveTags } from '../adapters/aws/live-tags.js';
import { readAzureLiveTags } from '../adapters/azure/live-tags.js';
import { liveTagCheck } from './live-check.js';
import type { LiveSafetyCheck } from './run-step.js';
import type { StepInput } from '../../workflows/input.js';
import { documentedEc2Bucket } from '../core/rate-limits.js';
import { stepCorrelation } from '../core/correlation.js';
import { createActionExecutor, type ActionExecutor } from '../actions/registry.js';
import { AuditLog } from '../records/audit-log.js';
import { localAuditSigner } from '../records/audit-signer.js';
import { PRIVATE_DIR_MODE, makePrivateDir } from '../records/private-fs.js';
import type { CaseStore } from '../records/case-store.js';
import { EvidenceStore } from '../records/evidence.js';
import { SqliteCaseStore } from '../records/sqlite-case-store.js';

/** The local records of one Cordon home: case store, audit log, evidence. */
export interface LocalRecords {
  home: string;
  store: CaseStore;
  audit: AuditLog;
  evidence: EvidenceStore;
  close(): Promise<void>;
}

/**
 * Opens (creating, owner-only) the records of `home`, with the home's own audit key. An exercise or
 * simulated run directory is a home of its own (`CORDON_HOME=<run> cordon approve …` appends to its
 * chain), so it has its own key beside its log.
 */
export function openLocalRecords(home: string): LocalRecords {
  makePrivateDir(home);
  const store = new SqliteCaseStore(join(home, 'cordon.db'));
  return { home, store, audit: AuditLog.inHome(home, { signer: localAuditSigner(home) }), evidence: new EvidenceStore(home), close: () => store.close() };
}

export { stepCorrelation };

export interface Target {
  /** The simulated estate's URL; absent = the real clouds, with the ambient credentials. */
  endpoint?: string;
  store: CaseStore;
  now(): Date;
  reminderOffsetsHours?: readonly number[];
  /** Per-request SDK timeout (ms) for both clouds; default: each adapter's own. */
  requestTimeoutMs?: number;
  /**
   * The call scheduler shared by every step and incident this executor runs (containment first,
   * within the API's token buckets). Default: EC2's documented buckets against the real clouds,
   * none against the simulated estate (pass the estate's own profile there); false = none.
   */
  scheduler?: CallScheduler | false;
}

/**
 * The action runner wired to the simulated estate or to the real clouds. Clients are built once
 * per region (AWS) or subscription (Azure) and shared by every step: each call still carries its
 * own step id, taken from the step the code is running for (withStep).
 */
export function localExecutor(target: Target): ActionExecutor {
  return localStepRunner(target).executeAction;
}

/**
 * The action runner and the live checks every step passes first (engine/live-check.ts), over one
 * set of clients: the tag read and the action go to the same account, region and endpoint.
 */
export function localStepRunner(target: Target): { executeAction: ActionExecutor; checks: LiveSafetyCheck[] } {
  const { endpoint, requestTimeoutMs } = target;
  const timeout = requestTimeoutMs !== undefined ? { requestTimeoutMs } : {};
  const scheduler = target.scheduler ?? (endpoint ? false : new CallScheduler(documentedEc2Bucket));
  // Clients per account and region: rate limits are per account and region.
  const aws = memo((scope: string) => {
    const region = scope.slice(scope.indexOf('/') + 1);
    return createAwsClients({ region, ...timeout, ...(endpoint ? { endpoint, credentials: SIM_CREDENTIALS } : {}), ...(scheduler ? { scheduler: { scheduler, scope } } : {}) });
  });
  const azure = memo((subscriptionId: string) => createAzureClients({ subscriptionId, ...timeout, ...(endpoint ? { endpoint } : {}) }));
  const execute = createActionExecutor({
    aws: (input) => ({ clients: aws(`${input.account}/${input.region}`), now: target.now }),
    azure: (input) => ({ clients: azure(input.account), now: target.now }),
    cordon: () => ({ store: target.store, now: target.now, ...(target.reminderOffsetsHours ? { reminderOffsetsHours: target.reminderOffsetsHours } : {}) }),
  });
  const inStep = <T>(input: Pick<StepInput, 'incidentId' | 'stepId' | 'action'>, work: () => Promise<T>) => withStep(stepCorrelation(input), () => withCallPhase(actionSpec(input.action).phase, work));
  const readTags = (input: StepInput) =>
    inStep(input, () => (ACTION_CATALOG[input.action].cloud === 'azure' ? readAzureLiveTags(azure(input.account), input) : readAwsLiveTags(aws(`${input.account}/${input.region}`), input)));
  return { executeAction: (input, evidence) => inStep(input, () => execute(input, evidence)), checks: [liveTagCheck(readTags)] };
}

function memo<T>(make: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}

/**
 * A fresh directory for one exercise or simulated run under `$CORDON_HOME/tabletop/`, named by its
 * start time (sortable) — never shared with real incidents, nor with another run.
 */
export function exerciseHome(home: string, startedAt: Date, prefix = ''): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace('.', '');
  const parent = join(home, 'tabletop');
  makePrivateDir(parent);
  const base = join(parent, `${prefix}${stamp}`);
  for (let n = 0; ; n++) {
    const dir = n === 0 ? base : `${base}-${n}`;
    try {
      mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
