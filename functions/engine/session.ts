import type { Playbook } from '../core/playbooks/schema.js';
import type { Mode } from '../core/model.js';
import type { StateMachine } from '../../workflows/asl.js';
import { compilePlaybook } from '../../workflows/compile.js';
import type { ApprovalAnswer, ApprovalRequest } from '../../workflows/runner.js';
import type { PlannedFinding } from './planning.js';
import { respond, type IncidentReport, type ResponderEvent } from './responder.js';
import { localStepRunner, stepCorrelation, type LocalRecords } from './runtime.js';
import type { SimulatedEstate } from '../sim/estate.js';
import { CallScheduler } from '../adapters/aws/call-scheduler.js';
import { ownershipKeys } from '../sim/attacker/derive.js';
import type { Incident } from '../core/model.js';
import type { EvidenceAtRisk, Eviction } from '../core/verdict.js';

/** The estate's attacker model judges the footholds on the incident's resources. */
function assessEviction(estate: SimulatedEstate, incident: Incident): { eviction: Eviction; evidenceAtRisk: EvidenceAtRisk[] } {
  const v = estate.attacker.verdict(ownershipKeys(incident.finding));
  return { eviction: { footholds: v.footholds, open: v.open }, evidenceAtRisk: v.evidenceAtRisk };
}

export interface LocalSessionOptions {
  mode: Mode;
  playbooks: readonly Playbook[];
  records: LocalRecords;
  /** The simulated estate; absent = the real clouds with the ambient credentials. */
  estate?: SimulatedEstate;
  speed?: number;
  approve?: (req: ApprovalRequest) => Promise<ApprovalAnswer>;
  onEvent?: (e: ResponderEvent) => void;
  /** Per-request SDK timeout (ms); tests set it short to exercise timeouts quickly. */
  requestTimeoutMs?: number;
  /**
   * Incidents responded to at once (default 1: one after another). A storm of incidents in one
   * account runs them side by side, sharing one call scheduler.
   */
  concurrency?: number;
  /**
   * The call scheduler (containment first within the API token buckets). Default: the estate's
   * own rate-limit profile when it has one, EC2's documented buckets against the real clouds;
   * false = calls go at once.
   */
  scheduler?: CallScheduler | false;
}

/**
 * Runs planned findings through their workflows in this process — the local engine behind
 * `cordon tabletop` and `cordon run --execute`. Each playbook compiles once to the same ASL
 * the cloud deploys.
 */
export async function runLocally(planned: readonly PlannedFinding[], options: LocalSessionOptions): Promise<IncidentReport[]> {
  const definitions = new Map<string, StateMachine>();
  const definitionFor = (id: string): StateMachine => {
    let d = definitions.get(id);
    if (!d) {
      const playbook = options.playbooks.find((p) => p.id === id);
      if (!playbook) throw new Error(`playbook ${id} is not loaded`);
      d = compilePlaybook(playbook);
      definitions.set(id, d);
    }
    return d;
  };
  const now = () => new Date();
  const { estate, records } = options;
  const limiter = estate?.rateLimiter;
  const scheduler = options.scheduler ?? (limiter ? new CallScheduler((key) => limiter.specOf(key)) : undefined);
  const { executeAction, checks } = localStepRunner({
    ...(estate ? { endpoint: estate.url } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(scheduler !== undefined ? { scheduler } : {}),
    store: records.store,
    now,
  });
  const reports: IncidentReport[] = new Array<IncidentReport>(planned.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < planned.length; i = next++) {
      const p = planned[i] as PlannedFinding;
      reports[i] = await respond(p, {
        mode: options.mode,
        store: records.store,
        audit: records.audit,
        evidence: records.evidence,
        definitionFor,
        executeAction,
        checks,
        ...(estate ? { assessEviction: (incident: Incident) => assessEviction(estate, incident) } : {}),
        ...(estate ? { callsFor: (incidentId: string, stepId: string) => estate.server.callsFor(stepCorrelation({ incidentId, stepId })).map((c) => c.operation) } : {}),
        ...(options.approve ? { requestApproval: options.approve } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        now,
        ...(options.speed ? { speed: options.speed } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 1, planned.length)) }, worker));
  return reports;
}
