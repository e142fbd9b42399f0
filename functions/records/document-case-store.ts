import type { BreachAssessment, Clock, ClockRegime, Incident } from '../core/model.js';
import {
  CaseStoreError,
  CORDON_ASSESSOR,
  type AssessmentDecision,
  type ClockAnchor,
  type RegisterEntry,
  DEFAULT_REMINDER_OFFSETS_HOURS,
  type ApprovalDecision,
  type ApprovalRecord,
  type ApprovalRequest,
  type AwarenessCorrectionInput,
  type CaseStore,
  type ClockClosing,
  type ClockRecord,
  type IncidentRecord,
  type IncidentStatus,
  type OpenClockOptions,
  type PauseState,
  type StepClaim,
  type StepOutcome,
  type StepRecord,
} from './case-store.js';
import { hourBucket, type Mutation, type RecordTable } from './record-table.js';
import type { AuditRecord } from './audit-log.js';
import { TableAuditTrail, type TableAuditTrailOptions } from './table-audit-trail.js';

const ALL = 'all';
const OPEN = 'open';
const PENDING = 'pending';
/** The deployment-wide control records (the kill switch) live under this incident key. */
const CONTROL = '-control-';

const clockFlag = (c: ClockRecord): Mutation<ClockRecord> => ({ body: c, flag: c.state === 'open' ? OPEN : undefined });
const approvalFlag = (a: ApprovalRecord): Mutation<ApprovalRecord> => ({ body: a, flag: a.status === 'pending' ? PENDING : undefined });

/** A running claim is abandoned when the claimant names it exactly (its owner is dead) or its lease ran out. */
function isAbandoned(current: StepRecord, claim: StepClaim): boolean {
  const named = claim.replaces !== undefined && claim.replaces.owner === current.owner && claim.replaces.startedAt === current.startedAt;
  const expired = claim.staleBefore !== undefined && Date.parse(current.startedAt) < Date.parse(claim.staleBefore);
  return named || expired;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CaseStoreError('not-found', `${what} not found`);
  return value;
}

/**
 * The case-store rules (claims, clock and approval life cycles), written once over a RecordTable.
 * Each change is a pure function of the stored document, run inside the table's atomic `mutate`.
 */
export class DocumentCaseStore implements CaseStore {
  constructor(private readonly table: RecordTable) {}

  /** The deployment's audit chain, kept in the same table (one chain for every function instance). */
  auditTrail(options: TableAuditTrailOptions): TableAuditTrail {
    return new TableAuditTrail(this.table, options);
  }

  /** The chain's records in order, read only (export and `cordon audit verify --table`). */
  auditRecords(): Promise<AuditRecord[]> {
    return TableAuditTrail.recordsOf(this.table);
  }

  async putIncident(incident: Incident, at: string) {
    const { changed, body } = await this.table.mutate<IncidentRecord>('incident', incident.id, '', (current) =>
      current ? undefined : { body: { id: incident.id, incident, status: 'open', playbook: incident.playbook, createdAt: at, updatedAt: at }, flag: ALL },
    );
    const record = required(body, `incident ${incident.id}`);
    // Written on every delivery, not only the first: a process that died between the two writes leaves no incident without its entry.
    if (record.incident.assessment) await this.recordAssessment(incident.id, record.incident.assessment, { at: record.createdAt });
    return { created: changed, record };
  }

  getIncident(id: string) {
    return this.table.get<IncidentRecord>('incident', id, '');
  }

  async listIncidents() {
    const all = await this.table.listByFlag<IncidentRecord>('incident', ALL);
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async setIncidentStatus(id: string, status: IncidentStatus, at: string) {
    const { body } = await this.table.mutate<IncidentRecord>('incident', id, '', (current) => {
      const record = required(current, `incident ${id}`);
      if (record.status === status) return undefined;
      return { body: { ...record, status, updatedAt: at }, flag: ALL };
    });
    return required(body, `incident ${id}`);
  }

  async claimStep(incident: string, stepId: string, claim: StepClaim) {
    const { changed } = await this.table.mutate<StepRecord>('step', incident, stepId, (current) => {
      // A failed step may be tried again (a redelivery after a fix); an abandoned running one may be taken over.
      const abandoned = current?.status === 'running' && isAbandoned(current, claim);
      if (current && current.status !== 'failed' && !abandoned) return undefined;
      return {
        body: {
          incident,
          stepId,
          status: 'running',
          owner: claim.owner,
          attempts: (current?.attempts ?? 0) + 1,
          startedAt: claim.at,
          ...(abandoned && current ? { takenOverFrom: current.owner } : {}),
        },
      };
    });
    return changed;
  }

  async finishStep(incident: string, stepId: string, outcome: StepOutcome) {
    const { body } = await this.table.mutate<StepRecord>('step', incident, stepId, (current) => {
      const step = required(current, `step ${stepId} of ${incident}`);
      if (step.status !== 'running') throw new CaseStoreError('conflict', `step ${stepId} of ${incident} is ${step.status}, not running`);
      if (outcome.owner !== undefined && outcome.owner !== step.owner) {
        throw new CaseStoreError('conflict', `step ${stepId} of ${incident} was taken over by ${step.owner}`);
      }
      const { startedAt, owner, attempts, takenOverFrom } = step;
      const base = { incident, stepId, owner, attempts, startedAt, ...(takenOverFrom !== undefined ? { takenOverFrom } : {}), finishedAt: outcome.finishedAt };
      switch (outcome.status) {
        case 'succeeded':
          return { body: { ...base, status: 'succeeded', before: outcome.before, after: outcome.after } };
        case 'skipped':
          return { body: { ...base, status: 'skipped', reason: outcome.reason, before: outcome.before } };
        case 'failed':
          return { body: { ...base, status: 'failed', reason: outcome.reason, errorClass: outcome.errorClass } };
      }
    });
    return required(body, `step ${stepId} of ${incident}`);
  }

  getStep(incident: string, stepId: string) {
    return this.table.get<StepRecord>('step', incident, stepId);
  }

  async listSteps(incident: string) {
    const steps = await this.table.listByIncident<StepRecord>('step', incident);
    return steps.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.stepId.localeCompare(b.stepId));
  }

  recordAction(account: string, at: string) {
    return this.table.addActions(account, hourBucket(at), 1);
  }

  countActions(account: string, since: string) {
    return this.table.sumActions(account, hourBucket(since));
  }

  reserveActions(account: string, at: string, count: number, cap: number) {
    return this.table.reserveActions(account, hourBucket(at), count, cap);
  }

  async getPause(): Promise<PauseState> {
    return (await this.table.get<PauseState>('control', CONTROL, 'pause')) ?? { paused: false };
  }

  async setPause(state: PauseState): Promise<PauseState> {
    await this.table.mutate<PauseState>('control', CONTROL, 'pause', () => ({ body: state }));
    return state;
  }

  async openClock(incident: string, clock: Clock, options: OpenClockOptions) {
    const offsets = [...(options.reminderOffsetsHours ?? DEFAULT_REMINDER_OFFSETS_HOURS)];
    if (offsets.some((h) => !Number.isFinite(h) || h <= 0)) throw new CaseStoreError('invalid', 'reminder offsets must be positive hours');
    const { changed, body } = await this.table.mutate<ClockRecord>('clock', incident, clock.regime, (current) =>
      current
        ? undefined
        : clockFlag({
            incident,
            regime: clock.regime,
            awareAt: clock.awareAt,
            deadline: clock.deadline,
            state: 'open',
            openedAt: options.openedAt,
            reminderOffsetsHours: offsets.sort((a, b) => b - a),
            remindersSent: [],
            awarenessCorrections: [],
            ...(options.shadow ? { shadow: true } : {}),
          }),
    );
    return { created: changed, record: required(body, `clock ${clock.regime} of ${incident}`) };
  }

  getClock(incident: string, regime: ClockRegime) {
    return this.table.get<ClockRecord>('clock', incident, regime);
  }

  listClocks(incident: string) {
    return this.table.listByIncident<ClockRecord>('clock', incident);
  }

  listOpenClocks() {
    return this.table.listByFlag<ClockRecord>('clock', OPEN);
  }

  async recordReminder(incident: string, regime: ClockRegime, offsetHours: number, sentAt: string) {
    const { changed } = await this.table.mutate<ClockRecord>('clock', incident, regime, (current) => {
      const clock = required(current, `clock ${regime} of ${incident}`);
      if (clock.state !== 'open' || clock.remindersSent.some((r) => r.offsetHours === offsetHours)) return undefined;
      return clockFlag({ ...clock, remindersSent: [...clock.remindersSent, { offsetHours, sentAt }] });
    });
    return changed;
  }

  async closeClock(incident: string, regime: ClockRegime, closing: ClockClosing) {
    if (closing.outcome === 'not-notifiable') {
      if (closing.rationale.trim() === '') throw new CaseStoreError('invalid', 'a not-notifiable decision needs a rationale (GDPR Art. 33(5))');
    } else if (closing.reference.trim() === '') throw new CaseStoreError('invalid', 'a notification reference is required to close a clock');
    if (closing.by.trim() === '') throw new CaseStoreError('invalid', 'the person closing a clock must be named');
    const { body } = await this.table.mutate<ClockRecord>('clock', incident, regime, (current) => {
      const clock = required(current, `clock ${regime} of ${incident}`);
      if (clock.state === 'closed') throw new CaseStoreError('conflict', `clock ${regime} of ${incident} was already closed at ${clock.closedAt ?? '?'}`);
      const how =
        closing.outcome === 'not-notifiable'
          ? { outcome: 'not-notifiable' as const, rationale: closing.rationale }
          : { outcome: 'notified' as const, notificationReference: closing.reference };
      return clockFlag({ ...clock, state: 'closed', ...how, closedBy: closing.by, closedAt: closing.at });
    });
    return required(body, `clock ${regime} of ${incident}`);
  }

  async anchorClock(incident: string, regime: ClockRegime, anchor: ClockAnchor) {
    if (Number.isNaN(Date.parse(anchor.deadline))) throw new CaseStoreError('invalid', `anchored deadline is not a time: ${anchor.deadline}`);
    const { body } = await this.table.mutate<ClockRecord>('clock', incident, regime, (current) => {
      const clock = required(current, `clock ${regime} of ${incident}`);
      if (clock.state === 'closed') throw new CaseStoreError('conflict', `clock ${regime} of ${incident} is closed`);
      if (clock.deadline === anchor.deadline) return undefined;
      return clockFlag({ ...clock, deadline: anchor.deadline, remindersSent: [], anchor: { ...anchor, previousDeadline: clock.deadline } });
    });
    return required(body, `clock ${regime} of ${incident}`);
  }

  async recordMissed(incident: string, regime: ClockRegime, at: string) {
    const { changed } = await this.table.mutate<ClockRecord>('clock', incident, regime, (current) => {
      const clock = required(current, `clock ${regime} of ${incident}`);
      if (clock.state !== 'open' || clock.missedAt !== undefined) return undefined;
      return clockFlag({ ...clock, missedAt: at });
    });
    return changed;
  }

  async recordAssessment(incident: string, a: BreachAssessment, options: { at: string; shadow?: boolean }) {
    const { changed, body } = await this.table.mutate<RegisterEntry>('register', incident, '', (current) =>
      current
        ? undefined
        : {
            body: {
              incident,
              personalData: a.personalData,
              status: a.status,
              basis: a.basis,
              trigger: a.trigger,
              specialCategory: a.specialCategory,
              decidedBy: CORDON_ASSESSOR,
              decidedAt: options.at,
              openedAt: options.at,
              shadow: options.shadow === true,
              history: [],
            },
            flag: ALL,
          },
    );
    return { created: changed, record: required(body, `register entry of ${incident}`) };
  }

  getRegisterEntry(incident: string) {
    return this.table.get<RegisterEntry>('register', incident, '');
  }

  async listRegister() {
    const all = await this.table.listByFlag<RegisterEntry>('register', ALL);
    return all.sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.incident.localeCompare(b.incident));
  }

  async decideAssessment(incident: string, d: AssessmentDecision) {
    if (d.by.trim() === '') throw new CaseStoreError('invalid', 'the person deciding must be named');
    if (d.status === 'not-notifiable' && !d.rationale?.trim()) throw new CaseStoreError('invalid', 'a not-notifiable decision needs a rationale (GDPR Art. 33(5))');
    const { body } = await this.table.mutate<RegisterEntry>('register', incident, '', (current) => {
      const entry = required(current, `register entry of ${incident}`);
      if (entry.status === 'not-notifiable' || entry.status === 'notified') {
        throw new CaseStoreError('conflict', `the register entry of ${incident} is already ${entry.status} (decided by ${entry.decidedBy} at ${entry.decidedAt})`);
      }
      const previous = { status: entry.status, by: entry.decidedBy, at: entry.decidedAt, ...(entry.rationale !== undefined ? { rationale: entry.rationale } : {}) };
      const { rationale: _dropped, ...rest } = entry;
      return {
        body: { ...rest, status: d.status, decidedBy: d.by, decidedAt: d.at, ...(d.rationale?.trim() ? { rationale: d.rationale } : {}), history: [...entry.history, previous] },
        flag: ALL,
      };
    });
    return required(body, `register entry of ${incident}`);
  }

  async correctAwareness(incident: string, regime: ClockRegime, c: AwarenessCorrectionInput) {
    if (c.reason.trim() === '') throw new CaseStoreError('invalid', 'an awareness correction needs a reason');
    const { body } = await this.table.mutate<ClockRecord>('clock', incident, regime, (current) => {
      const clock = required(current, `clock ${regime} of ${incident}`);
      if (clock.state === 'closed') throw new CaseStoreError('conflict', `clock ${regime} of ${incident} is closed`);
      const correction = { previousAwareAt: clock.awareAt, previousDeadline: clock.deadline, awareAt: c.awareAt, deadline: c.deadline, reason: c.reason, by: c.by, at: c.at };
      // Reminders already sent refer to the old deadline; they are kept and may go out again for the new one.
      return clockFlag({ ...clock, awareAt: c.awareAt, deadline: c.deadline, remindersSent: [], awarenessCorrections: [...clock.awarenessCorrections, correction] });
    });
    return required(body, `clock ${regime} of ${incident}`);
  }

  async requestApproval(request: ApprovalRequest) {
    const { changed, body } = await this.table.mutate<ApprovalRecord>('approval', request.incident, request.stepId, (current) =>
      current ? undefined : approvalFlag({ ...request, status: 'pending' }),
    );
    return { created: changed, record: required(body, `approval of ${request.stepId}`) };
  }

  getApproval(incident: string, stepId: string) {
    return this.table.get<ApprovalRecord>('approval', incident, stepId);
  }

  async decideApproval(incident: string, stepId: string, d: ApprovalDecision) {
    if (d.decision === 'rejected' && !d.reason?.trim()) throw new CaseStoreError('invalid', 'a rejection needs a reason');
    const { body } = await this.table.mutate<ApprovalRecord>('approval', incident, stepId, (current) => {
      const approval = required(current, `approval of ${stepId} in ${incident}`);
      if (approval.status !== 'pending') throw new CaseStoreError('conflict', `approval of ${stepId} in ${incident} is already ${approval.status}`);
      return approvalFlag({ ...approval, status: d.decision, decidedBy: d.by, decidedAt: d.at, ...(d.reason ? { reason: d.reason } : {}) });
    });
    return required(body, `approval of ${stepId} in ${incident}`);
  }

  async listPendingApprovals(incident?: string) {
    const pending = await this.table.listByFlag<ApprovalRecord>('approval', PENDING);
    return incident === undefined ? pending : pending.filter((a) => a.incident === incident);
  }

  async timeOutApprovals(now: string) {
    const timedOut: ApprovalRecord[] = [];
    const nowMs = Date.parse(now);
    for (const candidate of await this.listPendingApprovals()) {
      if (Date.parse(candidate.timeoutAt) > nowMs) continue;
      // Re-checked inside the mutation: a person may have decided it in between.
      const { changed, body } = await this.table.mutate<ApprovalRecord>('approval', candidate.incident, candidate.stepId, (current) =>
        current?.status === 'pending'
          ? approvalFlag({ ...current, status: 'timed-out', decidedBy: 'cordon/timeout', decidedAt: now, reason: `no decision by ${current.timeoutAt}` })
          : undefined,
      );
      if (changed && body) timedOut.push(body);
    }
    return timedOut;
  }

  close() {
    return this.table.close();
  }
}
