import type { Clock, ClockRegime } from '../model.js';

/**
 * Regulatory clock arithmetic, in UTC throughout: a deadline is an instant, so Europe's DST
 * switches never move it (72 h is 72 × 3,600,000 ms, not "three wall-clock days").
 *
 * - GDPR Art. 33(1): a controller notifies the supervisory authority within 72 h of becoming aware;
 *   Art. 33(2): a processor notifies its controller "without undue delay" (Cordon: 24 h by default,
 *   configurable); Art. 34: the people concerned, "without undue delay" (Cordon holds it to the
 *   Art. 33 deadline, so neither is forgotten).
 * - NIS2 Art. 23(4): early warning within 24 h, incident notification within 72 h of awareness;
 *   the final report within one month after the incident notification was submitted (until it is
 *   recorded, one month after the notification's deadline).
 *
 * One month is a calendar month in UTC: the same day-of-month and time one month later, or the
 * last day of that month when it is shorter (31 Jan → 28 Feb, or 29 Feb in a leap year;
 * 31 Mar → 30 Apr). This never lands later than the day a reader of "one month" would expect.
 */
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

/** Durations an operator may set (DESIGN.md §5: the processor's "notify the controller" clock). */
export interface ClockOptions {
  processorNotifyHours: number;
}

export const DEFAULT_CLOCK_OPTIONS: Readonly<ClockOptions> = { processorNotifyHours: 24 };

function assertValid(date: Date, what: string): void {
  if (Number.isNaN(date.getTime())) throw new RangeError(`${what} is not a valid date`);
}

/** `date` plus one calendar month in UTC, clamped to the end of a shorter month. */
export function addCalendarMonthUtc(date: Date): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(date.getUTCDate(), lastDay),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      date.getUTCMilliseconds(),
    ),
  );
}

/**
 * The deadline of a regime from awareness. The NIS2 final report is anchored on the incident
 * notification: until its submission is recorded, one month after the notification's deadline
 * (re-anchored by `nis2FinalDeadline` once it is).
 */
export function deadlineFor(regime: ClockRegime, awareAt: Date, options: ClockOptions = DEFAULT_CLOCK_OPTIONS): Date {
  switch (regime) {
    case 'gdpr-art33':
    case 'gdpr-art34':
    case 'nis2-notification':
      return new Date(awareAt.getTime() + 72 * HOUR_MS);
    case 'gdpr-art33-processor':
      return new Date(awareAt.getTime() + options.processorNotifyHours * HOUR_MS);
    case 'nis2-early-warning':
      return new Date(awareAt.getTime() + 24 * HOUR_MS);
    case 'nis2-final':
      return addCalendarMonthUtc(deadlineFor('nis2-notification', awareAt));
  }
}

/** NIS2 Art. 23(4)(d): one month after the incident notification was submitted. */
export function nis2FinalDeadline(notificationSubmittedAt: Date): Date {
  assertValid(notificationSubmittedAt, 'notificationSubmittedAt');
  return addCalendarMonthUtc(notificationSubmittedAt);
}

function clock(regime: ClockRegime, awareAt: Date, options: ClockOptions): Clock {
  return { regime, awareAt: awareAt.toISOString(), deadline: deadlineFor(regime, awareAt, options).toISOString() };
}

/** The clocks of these regimes, in the order given (the assessment lists them earliest regime first). */
export function clocksFor(regimes: readonly ClockRegime[], awareAt: Date, options: ClockOptions = DEFAULT_CLOCK_OPTIONS): Clock[] {
  assertValid(awareAt, 'awareAt');
  return regimes.map((r) => clock(r, awareAt, options));
}

/** Milliseconds until the deadline; negative when overdue. */
export function timeLeft(c: Clock, now: Date): number {
  return Date.parse(c.deadline) - now.getTime();
}

/**
 * "2d 3h 15m" (zero parts left out; whole minutes, rounded down so time left is never overstated),
 * "less than 1m", "due now", or "overdue by 4h".
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return 'due now';
  if (ms < 0) return `overdue by ${formatDuration(-ms)}`;
  if (ms < MINUTE_MS) return 'less than 1m';
  const days = Math.floor(ms / DAY_MS);
  const hours = Math.floor((ms % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  const parts: string[] = [];
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  return parts.join(' ');
}

export interface Reminder {
  regime: ClockRegime;
  deadline: string;
  /** How long before the deadline this reminder is meant to fire. */
  offsetMs: number;
  /** deadline − offset, ISO-8601 UTC. */
  dueAt: string;
  /** Stable key to record that it was sent: `${regime}@${deadline}-${offsetMs}`. */
  key: string;
}

/** A reminder is keyed on the deadline too, so correcting awareness re-arms the reminders. */
export function reminderKey(c: Pick<Clock, 'regime' | 'deadline'>, offsetMs: number): string {
  return `${c.regime}@${c.deadline}-${offsetMs}`;
}

/**
 * Reminders whose time has come (now ≥ deadline − offset) and that were not sent yet, oldest
 * first; an offset at least as long as the clock (24 h before a 24 h deadline) gives none. Overdue clocks still get them: a late reminder beats a silent one. The caller records
 * each returned `key` as sent.
 */
export function dueReminders(
  clocks: readonly Clock[],
  now: Date,
  offsetsMs: readonly number[],
  alreadySent: ReadonlySet<string> | readonly string[],
): Reminder[] {
  const sent: ReadonlySet<string> = Array.isArray(alreadySent) ? new Set<string>(alreadySent) : (alreadySent as ReadonlySet<string>);
  const due: Reminder[] = [];
  for (const c of clocks) {
    const deadline = Date.parse(c.deadline);
    const awareAt = Date.parse(c.awareAt);
    for (const offsetMs of offsetsMs) {
      const dueAt = deadline - offsetMs;
      // An offset as long as the clock itself would fire the moment it opens: opening it is the notice.
      if (dueAt <= awareAt) continue;
      const key = reminderKey(c, offsetMs);
      if (now.getTime() >= dueAt && !sent.has(key)) {
        due.push({ regime: c.regime, deadline: c.deadline, offsetMs, dueAt: new Date(dueAt).toISOString(), key });
      }
    }
  }
  return due.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.key.localeCompare(b.key));
}

/** The same regimes recomputed from a corrected awareness time (the caller keeps the old one in the audit). */
export function correctAwareness(clocks: readonly Clock[], newAwareAt: Date, options: ClockOptions = DEFAULT_CLOCK_OPTIONS): Clock[] {
  assertValid(newAwareAt, 'newAwareAt');
  return clocks.map((c) => clock(c.regime, newAwareAt, options));
}

/**
 * Why a corrected awareness time is refused (DESIGN.md §5): it may move earlier, never into the
 * future nor later than the incident was opened (that would stretch a deadline already running).
 */
export function awarenessRefusal(newAwareAt: Date, incidentOpenedAt: Date, now: Date): string | undefined {
  if (Number.isNaN(newAwareAt.getTime())) return 'is not a valid time';
  if (newAwareAt.getTime() > now.getTime()) return `${newAwareAt.toISOString()} is in the future (now ${now.toISOString()})`;
  if (newAwareAt.getTime() > incidentOpenedAt.getTime()) {
    return `${newAwareAt.toISOString()} is later than the incident was opened (${incidentOpenedAt.toISOString()}); awareness can only move earlier`;
  }
  return undefined;
}

export type ClockOutcomeText = 'notified on time' | 'notified late' | 'not notifiable' | 'missed' | 'open';

/**
 * How a clock ended, or stands at `now`: a closed clock was notified (on time or late) or decided not
 * notifiable; an open one is missed once its deadline passed (or the clock watch recorded it missed,
 * which in a tabletop happens in the exercise's compressed time, before the wall clock gets there).
 */
export function clockOutcome(
  c: { state: 'open' | 'closed'; deadline: string; outcome?: 'notified' | 'not-notifiable'; closedAt?: string; missedAt?: string },
  now: Date,
): ClockOutcomeText {
  if (c.state === 'closed') {
    if (c.outcome === 'not-notifiable') return 'not notifiable';
    return c.closedAt !== undefined && Date.parse(c.closedAt) > Date.parse(c.deadline) ? 'notified late' : 'notified on time';
  }
  return c.missedAt !== undefined || Date.parse(c.deadline) < now.getTime() ? 'missed' : 'open';
}
