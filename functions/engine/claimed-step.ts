import type { ActionResult } from '../core/actions/types.js';
import { isResourceTarget } from '../core/model.js';
import type { AuditTrail } from '../records/audit-log.js';
import { CaseStoreError, type CaseStore, type StepOutcome } from '../records/case-store.js';
import type { EvidenceStore } from '../records/evidence.js';
import { claimFor, stepOwner } from '../records/step-lease.js';
import type { StepInput } from '../../workflows/input.js';

/** What running one claimed step needs: the records and the action runner. */
export interface ClaimedStepDeps {
  store: CaseStore;
  audit: AuditTrail;
  evidence: EvidenceStore;
  executeAction(input: StepInput): Promise<ActionResult>;
  now(): Date;
}

/** One action run, guarded by the case store's claim: a step already done reports `already-done`. */
export async function runClaimed(input: StepInput, deps: ClaimedStepDeps, actor: string): Promise<ActionResult> {
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
  if (isResourceTarget(input.target)) await deps.store.recordAction(input.account, at);
  const result = await deps.executeAction(input);
  const finishedAt = deps.now().toISOString();

  const outcome: StepOutcome =
    result.status === 'succeeded'
      ? { status: 'succeeded', before: result.before, after: result.after, finishedAt, owner: claim.owner }
      : result.status === 'skipped'
        ? { status: 'skipped', reason: result.reason, before: result.before, finishedAt, owner: claim.owner }
        : { status: 'failed', errorClass: result.errorClass, reason: result.message, finishedAt, owner: claim.owner };
  // A claim taken over while this process was slow (its lease ran out) belongs to the new owner:
  // its record is not overwritten; what this late run saw still goes to the audit log.
  let superseded: string | undefined;
  try {
    await deps.store.finishStep(input.incidentId, input.stepId, outcome);
  } catch (e) {
    if (!(e instanceof CaseStoreError) || e.code !== 'conflict') throw e;
    superseded = e.message;
  }
  if (result.status === 'succeeded' && superseded === undefined) {
    for (const clock of result.clocks ?? []) {
      await deps.audit.append({ incident: input.incidentId, event: 'clock.opened', data: clock });
    }
  }
  const record = await deps.audit.append({
    incident: input.incidentId,
    event: 'step.end',
    data: {
      step: input.stepId,
      status: result.status,
      ...(superseded !== undefined ? { superseded } : {}),
      ...(result.status === 'succeeded' ? { before: result.before, after: result.after, summary: result.summary, evidence: result.evidence } : {}),
      ...(result.status === 'skipped' ? { reason: result.reason, summary: result.summary } : {}),
      ...(result.status === 'failed' ? { errorClass: result.errorClass, message: result.message } : {}),
    },
  });
  if (result.status === 'succeeded' && result.evidence.length > 0) {
    await deps.evidence.recordStep(input.incidentId, { stepId: input.stepId, actor, at: finishedAt, items: result.evidence, auditHash: record.hash });
  }
  return result;
}
