import type { ActionResult, EvidenceItem, EvidenceSink } from '../core/actions/types.js';
import type { AuditTrail } from '../records/audit-log.js';
import { CaseStoreError, type CaseStore, type StepOutcome } from '../records/case-store.js';
import { cordonActor, manifestDigest, type EvidenceStore } from '../records/evidence.js';
import { claimFor, stepOwner } from '../records/step-lease.js';
import type { StepInput } from '../../workflows/input.js';

/**
 * A live safety check's answer when the step must not act: the step is recorded with this
 * result (claimed, audited, no cloud call), exactly as if the action had returned it.
 */
export type StepRefusal = Extract<ActionResult, { status: 'skipped' | 'failed' }>;

/**
 * A check made on the live target after the step is claimed and before it acts (the claim comes
 * first so two runs never both check and then both act). `undefined` lets the step act.
 * This is the hook the live tag / trust checks plug into; today no host passes any.
 */
export type LiveSafetyCheck = (input: StepInput) => Promise<StepRefusal | undefined>;

/** What running one step needs: the records, the action runner, and the checks to make first. */
export interface RunStepDeps {
  store: CaseStore;
  audit: AuditTrail;
  evidence: EvidenceStore;
  /** Runs the action; it records evidence through `evidence` as the cloud makes it, before it returns. */
  executeAction(input: StepInput, evidence: EvidenceSink): Promise<ActionResult>;
  now(): Date;
  /** Made in order; the first refusal stops the step. */
  checks?: readonly LiveSafetyCheck[];
}

async function firstRefusal(input: StepInput, checks: readonly LiveSafetyCheck[]): Promise<StepRefusal | undefined> {
  for (const check of checks) {
    const refusal = await check(input);
    if (refusal) return refusal;
  }
  return undefined;
}

/**
 * The one step engine every host runs a step through (the Lambda, the Azure Function action
 * runner and the local engine only adapt its result): claim in the case store → live safety
 * checks → act → audit (`step.start` / `step.end`) → evidence → result. A step already done
 * reports `already-done`; failures are returned as values, never thrown.
 */
export async function runStep(input: StepInput, deps: RunStepDeps): Promise<ActionResult> {
  const actor = cordonActor(input.mode);
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
  const refusal = await firstRefusal(input, deps.checks ?? []);
  let result: ActionResult;
  if (refusal) {
    result = refusal;
  } else {
    // Capacity was reserved per target account when the incident was recorded (blast-radius.ts); counting here again would halve the cap.
    result = await deps.executeAction(input, evidenceSink(input, actor, deps));
  }
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
      ...(result.status === 'skipped' ? { reason: result.reason, summary: result.summary, ...(result.evidence?.length ? { evidence: result.evidence } : {}) } : {}),
      ...(result.status === 'failed' ? { errorClass: result.errorClass, message: result.message } : {}),
    },
  });
  const evidence = result.status === 'failed' ? [] : (result.evidence ?? []);
  if (evidence.length > 0) await recordEvidence(input, deps, { actor, at: finishedAt, items: evidence, auditHash: record.hash });
  return result;
}

/**
 * The sink an action records evidence through before it returns: an `evidence.recorded` audit
 * record, then the manifest (with that record's hash as custody), then the manifest's digest.
 */
function evidenceSink(input: StepInput, actor: string, deps: RunStepDeps): EvidenceSink {
  return {
    record: async (items) => {
      if (items.length === 0) return;
      const record = await deps.audit.append({ incident: input.incidentId, event: 'evidence.recorded', data: { step: input.stepId, items } });
      await recordEvidence(input, deps, { actor, at: deps.now().toISOString(), items, auditHash: record.hash });
    },
  };
}

/** Adds items to the manifest and hashes the manifest into the audit chain (`evidence.manifest`). */
async function recordEvidence(input: StepInput, deps: RunStepDeps, entry: { actor: string; at: string; items: readonly EvidenceItem[]; auditHash: string }): Promise<void> {
  const manifest = await deps.evidence.recordStep(input.incidentId, { stepId: input.stepId, ...entry });
  await deps.audit.append({
    incident: input.incidentId,
    event: 'evidence.manifest',
    data: { step: input.stepId, sha256: manifestDigest(manifest), snapshots: manifest.snapshots.length, items: manifest.snapshots.length + manifest.isolation.length + manifest.originalConfigurations.length },
  });
}
