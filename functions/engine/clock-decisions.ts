import { awarenessRefusal, correctAwareness, DEFAULT_CLOCK_OPTIONS, nis2FinalDeadline, type ClockOptions } from '../core/clocks/clocks.js';
import type { ClockRegime } from '../core/model.js';
import type { AuditTrail } from '../records/audit-log.js';
import { CaseStoreError, type CaseStore, type ClockRecord, type RegisterEntry } from '../records/case-store.js';

/**
 * What a person decides about a clock, as use cases: each one changes the case store and appends to
 * the audit log, so the decision, its author and its reasoning are on record (GDPR Art. 33(5)).
 * The CLI only parses, calls these and renders; the cloud can call the same functions.
 */
export interface DecisionDeps {
  store: CaseStore;
  audit: AuditTrail;
  now: Date;
  clockOptions?: ClockOptions;
}

/** The regimes whose outcome is the register's outcome (the breach register is GDPR's). */
const GDPR_NOTIFICATION: readonly ClockRegime[] = ['gdpr-art33', 'gdpr-art33-processor'];

async function decideRegister(deps: DecisionDeps, incident: string, status: 'notified' | 'not-notifiable', by: string, rationale?: string): Promise<RegisterEntry | undefined> {
  const entry = await deps.store.getRegisterEntry(incident);
  if (!entry || entry.status === 'notified' || entry.status === 'not-notifiable') return entry;
  const at = deps.now.toISOString();
  const decided = await deps.store.decideAssessment(incident, { status, by, at, ...(rationale !== undefined ? { rationale } : {}) });
  await deps.audit.append({ incident, event: 'register.decided', data: { status, by, previous: entry.status, ...(rationale !== undefined ? { rationale } : {}) } });
  return decided;
}

export interface NotificationRecorded {
  clock: ClockRecord;
  onTime: boolean;
  /** The NIS2 final report, re-anchored on this notification's submission. */
  anchored?: ClockRecord;
  register?: RegisterEntry;
}

/** A person records the notification made: the clock closes; the register and the NIS2 final report follow. */
export async function recordNotification(deps: DecisionDeps, incident: string, regime: ClockRegime, reference: string, by: string): Promise<NotificationRecorded> {
  const at = deps.now.toISOString();
  const clock = await deps.store.closeClock(incident, regime, { reference, by, at });
  const onTime = Date.parse(at) <= Date.parse(clock.deadline);
  await deps.audit.append({ incident, event: 'notification', data: { regime, reference, by } });
  await deps.audit.append({ incident, event: 'clock.closed', data: { regime, outcome: 'notified', reference, by, deadline: clock.deadline, onTime } });
  const out: NotificationRecorded = { clock, onTime };
  if (GDPR_NOTIFICATION.includes(regime)) {
    const register = await decideRegister(deps, incident, 'notified', by);
    if (register) out.register = register;
  }
  if (regime === 'nis2-notification') {
    const final = await deps.store.getClock(incident, 'nis2-final');
    if (final?.state === 'open') {
      const deadline = nis2FinalDeadline(deps.now).toISOString();
      out.anchored = await deps.store.anchorClock(incident, 'nis2-final', { event: `nis2-notification submitted (reference ${reference})`, eventAt: at, deadline, at });
      await deps.audit.append({ incident, event: 'clock.anchored', data: { regime: 'nis2-final', previousDeadline: final.deadline, deadline, on: 'nis2-notification', submittedAt: at, by } });
    }
  }
  return out;
}

export interface NotNotifiableRecorded {
  clock?: ClockRecord;
  register?: RegisterEntry;
  /** The Art. 34 clock the GDPR decision closed with it. */
  art34?: ClockRecord;
}

/**
 * A person decides the incident is not notifiable under `regime`, with the reasoning. A GDPR decision
 * also settles the register entry, which works for an incident that only has an assessment (no clock).
 */
export async function closeNotNotifiable(deps: DecisionDeps, incident: string, regime: ClockRegime, rationale: string, by: string): Promise<NotNotifiableRecorded> {
  if (rationale.trim() === '') throw new CaseStoreError('invalid', 'a not-notifiable decision needs a rationale (GDPR Art. 33(5))');
  const at = deps.now.toISOString();
  const existing = await deps.store.getClock(incident, regime);
  const out: NotNotifiableRecorded = {};
  if (existing) {
    out.clock = await deps.store.closeClock(incident, regime, { outcome: 'not-notifiable', rationale, by, at });
    await deps.audit.append({ incident, event: 'clock.closed', data: { regime, outcome: 'not-notifiable', rationale, by, deadline: out.clock.deadline } });
  }
  if (GDPR_NOTIFICATION.includes(regime)) {
    const entry = await deps.store.getRegisterEntry(incident);
    if (!existing && !entry) throw new CaseStoreError('not-found', `incident ${incident} has neither a ${regime} clock nor a register entry`);
    if (!existing && entry && (entry.status === 'notified' || entry.status === 'not-notifiable')) {
      throw new CaseStoreError('conflict', `the register entry of ${incident} is already ${entry.status} (decided by ${entry.decidedBy} at ${entry.decidedAt})`);
    }
    const register = await decideRegister(deps, incident, 'not-notifiable', by, rationale);
    if (register) out.register = register;
    // Art. 34 needs a high risk to people; a breach assessed as unlikely to result in any risk has none.
    const art34 = await deps.store.getClock(incident, 'gdpr-art34');
    if (art34 && art34.state === 'open') {
      const follows = `${rationale} (follows the ${regime} decision: a breach unlikely to result in a risk is not a high risk, Art. 34(1))`;
      out.art34 = await deps.store.closeClock(incident, 'gdpr-art34', { outcome: 'not-notifiable', rationale: follows, by, at });
      await deps.audit.append({ incident, event: 'clock.closed', data: { regime: 'gdpr-art34', outcome: 'not-notifiable', rationale: follows, by, deadline: art34.deadline, follows: regime } });
    }
  } else if (!existing) {
    throw new CaseStoreError('not-found', `clock ${regime} of ${incident} not found`);
  }
  return out;
}

export interface AwarenessCorrected {
  corrected: { regime: ClockRegime; previousAwareAt: string; awareAt: string; previousDeadline: string; deadline: string }[];
  /** Clocks left as they were, and why (closed; a deadline anchored on a recorded notification). */
  refused: { regime: ClockRegime; reason: string }[];
}

/**
 * Moves the time of awareness of an incident's clocks (all, or one regime). Refused outright when the
 * new time is in the future or later than the incident was opened; closed clocks are refused one by
 * one. Every correction and every refusal is audited.
 */
export async function correctIncidentAwareness(
  deps: DecisionDeps,
  incident: string,
  change: { awareAt: Date; reason: string; by: string; regime?: ClockRegime },
): Promise<AwarenessCorrected> {
  if (change.reason.trim() === '') throw new CaseStoreError('invalid', 'an awareness correction needs a reason');
  const clocks = (await deps.store.listClocks(incident)).filter((c) => change.regime === undefined || c.regime === change.regime);
  if (clocks.length === 0) throw new CaseStoreError('not-found', `incident ${incident} has no ${change.regime ?? ''} clock`.replace('  ', ' '));
  const record = await deps.store.getIncident(incident);
  const openedAt = new Date(record?.createdAt ?? clocks.map((c) => c.openedAt).sort()[0] ?? deps.now.toISOString());
  const refusal = awarenessRefusal(change.awareAt, openedAt, deps.now);
  const requested = change.awareAt.toISOString();
  if (refusal) {
    await deps.audit.append({ incident, event: 'clock.correction-refused', data: { awareAt: requested, reason: change.reason, by: change.by, refusal } });
    throw new CaseStoreError('invalid', `--aware-at ${refusal}`);
  }
  const out: AwarenessCorrected = { corrected: [], refused: [] };
  const at = deps.now.toISOString();
  const options = deps.clockOptions ?? DEFAULT_CLOCK_OPTIONS;
  for (const c of clocks) {
    if (c.state === 'closed') {
      const reason = `${c.regime} is closed (${c.outcome ?? 'notified'} by ${c.closedBy ?? '?'} at ${c.closedAt ?? '?'}): a closed clock's awareness is not corrected`;
      out.refused.push({ regime: c.regime, reason });
      await deps.audit.append({ incident, event: 'clock.correction-refused', data: { regime: c.regime, awareAt: requested, reason: change.reason, by: change.by, refusal: reason } });
      continue;
    }
    const [moved] = correctAwareness([c], change.awareAt, options);
    if (!moved) continue;
    // Once the notification is recorded, the final report follows its submission, not awareness.
    const deadline = c.anchor ? c.deadline : moved.deadline;
    await deps.store.correctAwareness(incident, c.regime, { awareAt: moved.awareAt, deadline, reason: change.reason, by: change.by, at });
    await deps.audit.append({
      incident,
      event: 'clock.awareness-corrected',
      data: { regime: c.regime, previousAwareAt: c.awareAt, previousDeadline: c.deadline, awareAt: moved.awareAt, deadline, reason: change.reason, by: change.by },
    });
    out.corrected.push({ regime: c.regime, previousAwareAt: c.awareAt, awareAt: moved.awareAt, previousDeadline: c.deadline, deadline });
  }
  return out;
}
