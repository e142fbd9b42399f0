import type { ErrorClass } from '../core/actions/types.js';
import type { AssessmentStatus, BreachAssessment, Clock, ClockRegime, Incident, PersonalData } from '../core/model.js';

/**
 * The case store port: what Cordon remembers about incidents between events and processes.
 * Two adapters implement it (SQLite locally, DynamoDB in the cloud) and pass one contract suite
 * (`test/support/records/case-store.contract.ts`). Every method that changes state is atomic: two processes working at
 * once never lose an update and never both claim the same step.
 * All times are ISO-8601 UTC strings passed in by the caller (the store never reads the clock).
 */
export interface CaseStore {
  /**
   * Records an incident; a redelivered finding maps to the same id and keeps the first record. An
   * incident with a breach assessment also gets its register entry (kept once, like the incident).
   */
  putIncident(incident: Incident, at: string): Promise<{ created: boolean; record: IncidentRecord }>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  listIncidents(): Promise<IncidentRecord[]>;
  setIncidentStatus(id: string, status: IncidentStatus, at: string): Promise<IncidentRecord>;

  /**
   * Atomically claims a step; false when it is already running or finished (a failed step may be
   * claimed again). A running claim left by a dead process may be taken over: see StepClaim.replaces
   * and StepClaim.staleBefore.
   */
  claimStep(incident: string, stepId: string, claim: StepClaim): Promise<boolean>;
  finishStep(incident: string, stepId: string, outcome: StepOutcome): Promise<StepRecord>;
  getStep(incident: string, stepId: string): Promise<StepRecord | undefined>;
  listSteps(incident: string): Promise<StepRecord[]>;

  /** Blast radius: one more action against `account` at `at` (counted per hour). */
  recordAction(account: string, at: string): Promise<void>;
  /** Actions recorded against `account` in the hours from the one containing `since` onwards. */
  countActions(account: string, since: string): Promise<number>;
  /**
   * Blast radius that holds under concurrency: reserves `count` actions against `account` in the
   * hour containing `at`, atomically, only if the hour's total stays within `cap`. False: no room.
   * The organization-wide cap uses the account key ORG_ACCOUNTS.
   */
  reserveActions(account: string, at: string, count: number, cap: number): Promise<boolean>;

  /** The kill switch (`cordon pause`): the current state, read by every intake. */
  getPause(): Promise<PauseState>;
  /** Sets the kill switch; returns the state as stored. */
  setPause(state: PauseState): Promise<PauseState>;

  /** Idempotent per incident + regime: a second call returns the clock already open (or closed). */
  openClock(incident: string, clock: Clock, options: OpenClockOptions): Promise<{ created: boolean; record: ClockRecord }>;
  getClock(incident: string, regime: ClockRegime): Promise<ClockRecord | undefined>;
  listClocks(incident: string): Promise<ClockRecord[]>;
  listOpenClocks(): Promise<ClockRecord[]>;
  /** Records that the reminder `offsetHours` before the deadline went out; false when it already had (send once). */
  recordReminder(incident: string, regime: ClockRegime, offsetHours: number, sentAt: string): Promise<boolean>;
  /** Only a person closes a clock: by recording the notification made, or the decision that it is not notifiable (with a rationale). */
  closeClock(incident: string, regime: ClockRegime, closing: ClockClosing): Promise<ClockRecord>;
  /** Moves awareness (and so the deadline, computed by the caller), keeping the earlier times and the reason. */
  correctAwareness(incident: string, regime: ClockRegime, correction: AwarenessCorrectionInput): Promise<ClockRecord>;
  /** Moves an open clock's deadline onto a recorded event (the NIS2 final report onto the notification's submission). */
  anchorClock(incident: string, regime: ClockRegime, anchor: ClockAnchor): Promise<ClockRecord>;
  /** Records that an open clock's deadline passed with nothing recorded; false when it already was. */
  recordMissed(incident: string, regime: ClockRegime, at: string): Promise<boolean>;

  /** The breach register (GDPR Art. 33(5)): one entry per incident, oldest first. */
  recordAssessment(incident: string, assessment: BreachAssessment, options: { at: string; shadow?: boolean }): Promise<{ created: boolean; record: RegisterEntry }>;
  getRegisterEntry(incident: string): Promise<RegisterEntry | undefined>;
  listRegister(): Promise<RegisterEntry[]>;
  /** A person's decision; not-notifiable needs a rationale; a final decision (not-notifiable, notified) is not changed again. */
  decideAssessment(incident: string, decision: AssessmentDecision): Promise<RegisterEntry>;

  /** Idempotent per incident + step: a redelivered request keeps the first token. */
  requestApproval(request: ApprovalRequest): Promise<{ created: boolean; record: ApprovalRecord }>;
  getApproval(incident: string, stepId: string): Promise<ApprovalRecord | undefined>;
  /** Only a pending approval can be decided; a rejection needs a reason. */
  decideApproval(incident: string, stepId: string, decision: ApprovalDecision): Promise<ApprovalRecord>;
  listPendingApprovals(incident?: string): Promise<ApprovalRecord[]>;
  /** Marks every pending approval whose timeout is at or before `now` as timed-out and returns them. */
  timeOutApprovals(now: string): Promise<ApprovalRecord[]>;

  close(): Promise<void>;
}

/** The organization-wide action counter's key (not an account id, so it cannot collide with one). */
export const ORG_ACCOUNTS = 'organization';

export interface PauseState {
  paused: boolean;
  reason?: string;
  /** Who paused or resumed (the authenticated identity where there is one, else the OS user). */
  by?: string;
  at?: string;
}

/** The reason a paused plan gives: what the person who paused said, and who it was. */
export function pauseReason(p: PauseState): string {
  return `${p.reason ?? 'no reason given'}${p.by ? ` (by ${p.by}${p.at ? ` at ${p.at}` : ''})` : ''}`;
}

export const INCIDENT_STATUSES = ['open', 'contained', 'escalated', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export interface IncidentRecord {
  id: string;
  incident: Incident;
  status: IncidentStatus;
  playbook: string | null;
  createdAt: string;
  updatedAt: string;
}

export type StepStatus = 'running' | 'succeeded' | 'skipped' | 'failed';

export interface StepClaim {
  at: string;
  /** Who claimed it (`cordon/<mode>` plus a process id), for the record. */
  owner: string;
  /**
   * Take over a running claim the caller knows to be abandoned (its owner process is dead): only
   * when the stored claim is still exactly this one, so two rescuers never both win.
   */
  replaces?: { owner: string; startedAt: string };
  /** The lease rule: a running claim started before this time is abandoned and may be taken over. */
  staleBefore?: string;
}

export type StepOutcome = (
  | { status: 'succeeded'; before?: unknown; after?: unknown; finishedAt: string }
  | { status: 'skipped'; reason: string; before?: unknown; finishedAt: string }
  | { status: 'failed'; errorClass: ErrorClass; reason: string; finishedAt: string }
) & {
  /** The claim's owner: when given, a claim taken over meanwhile (this owner's lease ran out) refuses the finish. */
  owner?: string;
};

export interface StepRecord {
  incident: string;
  stepId: string;
  status: StepStatus;
  owner: string;
  attempts: number;
  startedAt: string;
  /** The owner of an abandoned running claim this one took over. */
  takenOverFrom?: string;
  finishedAt?: string;
  reason?: string;
  errorClass?: ErrorClass;
  before?: unknown;
  after?: unknown;
}

export interface OpenClockOptions {
  openedAt: string;
  /** Opened by a shadow run: it shows what would run, nobody is bound by it. */
  shadow?: boolean;
  /** Hours before the deadline at which to remind; default DEFAULT_REMINDER_OFFSETS_HOURS. */
  reminderOffsetsHours?: readonly number[];
}

export const DEFAULT_REMINDER_OFFSETS_HOURS: readonly number[] = [24, 4];

export interface ClockRecord extends Clock {
  incident: string;
  state: 'open' | 'closed';
  openedAt: string;
  reminderOffsetsHours: number[];
  remindersSent: { offsetHours: number; sentAt: string }[];
  notificationReference?: string;
  /** How a person closed it. */
  outcome?: ClockOutcome;
  /** Why it is not notifiable (the register keeps it too). */
  rationale?: string;
  closedBy?: string;
  closedAt?: string;
  awarenessCorrections: AwarenessCorrection[];
  /** When the deadline passed with no notification or decision recorded. */
  missedAt?: string;
  /** The event the deadline now follows (NIS2 final report: the notification's submission). */
  anchor?: ClockAnchor & { previousDeadline: string };
  shadow?: boolean;
}

export type ClockOutcome = 'notified' | 'not-notifiable';

export type ClockClosing = { by: string; at: string } & ({ outcome?: 'notified'; reference: string } | { outcome: 'not-notifiable'; rationale: string });

export interface ClockAnchor {
  /** What happened, e.g. `nis2-notification submitted (reference CSIRT-2026-118)`. */
  event: string;
  eventAt: string;
  deadline: string;
  at: string;
}

export interface RegisterEntry {
  incident: string;
  personalData: PersonalData;
  status: AssessmentStatus;
  basis: string;
  trigger?: BreachAssessment['trigger'];
  specialCategory?: boolean;
  rationale?: string;
  /** Who made the current decision (`cordon` for the automatic assessment) and when. */
  decidedBy: string;
  decidedAt: string;
  openedAt: string;
  shadow: boolean;
  /** Earlier decisions, oldest first. */
  history: { status: AssessmentStatus; by: string; at: string; rationale?: string }[];
}

export interface AssessmentDecision {
  status: Exclude<AssessmentStatus, 'assessing'>;
  by: string;
  at: string;
  rationale?: string;
}

/** Who decided the automatic assessment, in the register. */
export const CORDON_ASSESSOR = 'cordon';

export interface AwarenessCorrectionInput {
  awareAt: string;
  /** The new deadline, from the clock arithmetic (functions/core/clocks). */
  deadline: string;
  reason: string;
  by: string;
  at: string;
}

export interface AwarenessCorrection {
  previousAwareAt: string;
  previousDeadline: string;
  awareAt: string;
  deadline: string;
  reason: string;
  by: string;
  at: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'timed-out';

export interface ApprovalRequest {
  incident: string;
  stepId: string;
  /** The Step Functions / local-runner task token that resumes the workflow. */
  token: string;
  requestedAt: string;
  timeoutAt: string;
}

export interface ApprovalRecord extends ApprovalRequest {
  status: ApprovalStatus;
  reason?: string;
  decidedBy?: string;
  decidedAt?: string;
}

export interface ApprovalDecision {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  reason?: string;
}

/** A typed refusal: the record is missing, or in a state that does not allow the change. */
export class CaseStoreError extends Error {
  override readonly name = 'CaseStoreError';
  constructor(
    readonly code: 'not-found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}
