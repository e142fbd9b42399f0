import type { Clock, ClockRegime } from '../model.js';

/**
 * Regulatory clock arithmetic, in UTC throughout: a deadline is an instant, so Europe's DST
 * switches never move it (72 h is 72 × 3,600,000 ms, not "three wall-clock days").
 *
 * - GDPR Art. 33(1): notify the supervisory authority within 72 h of becoming aware.
 * - NIS2 Art. 23(4): early warning within 24 h, incident notification within 72 h,
 *   final report within one month.
 *
 * One month is a calendar month in UTC: the same day-of-month and time one month later, or the
 * last day of that month when it is shorter (31 Jan → 28 Feb, or 29 Feb in a leap year;
 * 31 Mar → 30 Apr). This never lands later than the day a reader of "one month" would expect.
 */
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

export interface ClockScope {
  gdpr: boolean;
  nis2: boolean;
  awareAt: Date;
}

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

export function deadlineFor(regime: ClockRegime, awareAt: Date): Date {
  switch (regime) {
    case 'gdpr-art33':
    case 'nis2-notification':
      return new Date(awareAt.getTime() + 72 * HOUR_MS);
    case 'nis2-early-warning':
      return new Date(awareAt.getTime() + 24 * HOUR_MS);
    case 'nis2-final':
      return addCalendarMonthUtc(awareAt);
  }
}

function clock(regime: ClockRegime, awareAt: Date): Clock {
  return { regime, awareAt: awareAt.toISOString(), deadline: deadlineFor(regime, awareAt).toISOString() };
}

/** The clocks an incident opens, earliest regime first. */
export function clocksFor(scope: ClockScope): Clock[] {
  assertValid(scope.awareAt, 'awareAt');
  const regimes: ClockRegime[] = [];
  if (scope.gdpr) regimes.push('gdpr-art33');
  if (scope.nis2) regimes.push('nis2-early-warning', 'nis2-notification', 'nis2-final');
  return regimes.map((r) => clock(r, scope.awareAt));
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
export function correctAwareness(clocks: readonly Clock[], newAwareAt: Date): Clock[] {
  assertValid(newAwareAt, 'newAwareAt');
  return clocks.map((c) => clock(c.regime, newAwareAt));
}
