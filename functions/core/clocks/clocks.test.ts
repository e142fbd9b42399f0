import { describe, expect, it } from 'vitest';
import type { Clock, ClockRegime } from '../model.js';
import {
  HOUR_MS,
  MINUTE_MS,
  addCalendarMonthUtc,
  awarenessRefusal,
  deadlineFor,
  nis2FinalDeadline,
  clocksFor,
  correctAwareness,
  dueReminders,
  formatDuration,
  reminderKey,
  timeLeft,
} from './clocks.js';

const at = (iso: string) => new Date(iso);
/** The regimes of a controller's GDPR clock and of the NIS2 clocks. */
const regimes = (gdpr: boolean, nis2: boolean): ClockRegime[] => [
  ...(gdpr ? (['gdpr-art33'] as const) : []),
  ...(nis2 ? (['nis2-early-warning', 'nis2-notification', 'nis2-final'] as const) : []),
];
const deadlines = (clocks: Clock[]) => Object.fromEntries(clocks.map((c) => [c.regime, c.deadline]));

describe('clocksFor', () => {
  it('GDPR Art. 33: 72 h from awareness', () => {
    expect(clocksFor(regimes(true, false), at('2026-05-04T09:30:00Z'))).toEqual([
      { regime: 'gdpr-art33', awareAt: '2026-05-04T09:30:00.000Z', deadline: '2026-05-07T09:30:00.000Z' },
    ]);
  });

  it('NIS2 Art. 23: 24 h early warning, 72 h notification, final report one month after the notification is due (until its submission is recorded)', () => {
    expect(deadlines(clocksFor(regimes(true, true), at('2026-05-04T09:30:00Z')))).toEqual({
      'gdpr-art33': '2026-05-07T09:30:00.000Z',
      'nis2-early-warning': '2026-05-05T09:30:00.000Z',
      'nis2-notification': '2026-05-07T09:30:00.000Z',
      'nis2-final': '2026-06-07T09:30:00.000Z',
    });
  });

  it('opens nothing when no regime is in scope', () => {
    expect(clocksFor(regimes(false, false), at('2026-05-04T09:30:00Z'))).toEqual([]);
  });

  it("is an instant in UTC: Europe's spring DST switch (29 Mar 2026) does not move the deadline", () => {
    expect(deadlines(clocksFor(regimes(true, true), at('2026-03-28T12:00:00Z')))).toMatchObject({
      'gdpr-art33': '2026-03-31T12:00:00.000Z',
      'nis2-early-warning': '2026-03-29T12:00:00.000Z',
    });
  });

  it("nor does the autumn switch (25 Oct 2026)", () => {
    expect(deadlines(clocksFor(regimes(true, false), at('2026-10-24T23:30:00Z')))).toEqual({
      'gdpr-art33': '2026-10-27T23:30:00.000Z',
    });
  });

  it('counts the leap day: 2028-02-27T10:00Z + 72 h is 1 March', () => {
    expect(deadlines(clocksFor(regimes(true, false), at('2028-02-27T10:00:00Z')))['gdpr-art33']).toBe('2028-03-01T10:00:00.000Z');
    expect(deadlines(clocksFor(regimes(true, false), at('2026-02-27T10:00:00Z')))['gdpr-art33']).toBe('2026-03-02T10:00:00.000Z');
  });

  it('crosses the year end', () => {
    expect(deadlines(clocksFor(regimes(false, true), at('2026-12-30T18:00:00Z')))).toEqual({
      'nis2-early-warning': '2026-12-31T18:00:00.000Z',
      'nis2-notification': '2027-01-02T18:00:00.000Z',
      'nis2-final': '2027-02-02T18:00:00.000Z',
    });
  });

  it('rejects an invalid awareness time', () => {
    expect(() => clocksFor(regimes(true, false), new Date('nope'))).toThrow(RangeError);
  });
});

describe('one calendar month (NIS2 final report), end-of-month rule', () => {
  it.each([
    ['2026-01-31T08:00:00.000Z', '2026-02-28T08:00:00.000Z'], // shorter month: its last day
    ['2028-01-31T08:00:00.000Z', '2028-02-29T08:00:00.000Z'], // leap year
    ['2028-01-29T08:00:00.000Z', '2028-02-29T08:00:00.000Z'],
    ['2028-02-29T08:00:00.000Z', '2028-03-29T08:00:00.000Z'], // from a leap day: same day next month
    ['2026-03-31T23:59:59.999Z', '2026-04-30T23:59:59.999Z'],
    ['2026-01-15T00:00:00.000Z', '2026-02-15T00:00:00.000Z'],
    ['2026-12-31T12:00:00.000Z', '2027-01-31T12:00:00.000Z'],
  ])('%s + 1 month = %s', (from, to) => {
    expect(addCalendarMonthUtc(at(from)).toISOString()).toBe(to);
  });
});

describe('timeLeft and formatDuration', () => {
  const [gdpr] = clocksFor(regimes(true, false), at('2026-05-04T09:30:00Z')) as [Clock];

  it('is the time to the deadline, negative once overdue', () => {
    expect(timeLeft(gdpr, at('2026-05-05T06:15:00Z'))).toBe(2 * 24 * HOUR_MS + 3 * HOUR_MS + 15 * MINUTE_MS);
    expect(timeLeft(gdpr, at('2026-05-07T13:30:00Z'))).toBe(-4 * HOUR_MS);
  });

  it.each([
    [2 * 24 * HOUR_MS + 3 * HOUR_MS + 15 * MINUTE_MS, '2d 3h 15m'],
    [2 * 24 * HOUR_MS + 15 * MINUTE_MS, '2d 15m'],
    [72 * HOUR_MS, '3d'],
    [5 * HOUR_MS + 59 * MINUTE_MS + 59_999, '5h 59m'], // rounded down: never overstate the time left
    [30_000, 'less than 1m'],
    [0, 'due now'],
    [-4 * HOUR_MS, 'overdue by 4h'],
    [-(26 * HOUR_MS + 30 * MINUTE_MS), 'overdue by 1d 2h 30m'],
    [-10_000, 'overdue by less than 1m'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('dueReminders', () => {
  const clocks = clocksFor(regimes(true, true), at('2026-05-04T09:30:00Z'));
  const offsets = [24 * HOUR_MS, 4 * HOUR_MS];

  it('is empty well before any deadline, and never fires as a clock opens (24 h before a 24 h deadline)', () => {
    expect(dueReminders(clocks, at('2026-05-04T09:31:00Z'), offsets, [])).toEqual([]);
  });

  it('returns the reminders whose time has come, oldest first', () => {
    const due = dueReminders(clocks, at('2026-05-05T05:30:00Z'), offsets, []);
    expect(due.map((r) => [r.regime, r.offsetMs / HOUR_MS, r.dueAt])).toEqual([['nis2-early-warning', 4, '2026-05-05T05:30:00.000Z']]);
    const later = dueReminders(clocks, at('2026-05-06T10:00:00Z'), offsets, []);
    expect(later.map((r) => [r.regime, r.offsetMs / HOUR_MS, r.dueAt])).toEqual([
      ['nis2-early-warning', 4, '2026-05-05T05:30:00.000Z'],
      ['gdpr-art33', 24, '2026-05-06T09:30:00.000Z'],
      ['nis2-notification', 24, '2026-05-06T09:30:00.000Z'],
    ]);
  });

  it('leaves out what was already sent, by key', () => {
    const now = at('2026-05-06T10:00:00Z');
    const first = dueReminders(clocks, now, offsets, []);
    expect(first.map((r) => r.key)).toEqual([
      reminderKey({ regime: 'nis2-early-warning', deadline: '2026-05-05T09:30:00.000Z' }, 4 * HOUR_MS),
      reminderKey({ regime: 'gdpr-art33', deadline: '2026-05-07T09:30:00.000Z' }, 24 * HOUR_MS),
      reminderKey({ regime: 'nis2-notification', deadline: '2026-05-07T09:30:00.000Z' }, 24 * HOUR_MS),
    ]);
    expect(dueReminders(clocks, now, offsets, new Set(first.map((r) => r.key)))).toEqual([]);
  });

  it('still reminds about an overdue clock that was never reminded', () => {
    const [gdpr] = clocks;
    const due = dueReminders([gdpr as Clock], at('2026-05-08T00:00:00Z'), offsets, []);
    expect(due).toHaveLength(2);
  });
});

describe('correctAwareness', () => {
  it('recomputes every deadline from the corrected time and re-arms reminders', () => {
    const before = clocksFor(regimes(true, true), at('2026-05-04T09:30:00Z'));
    const after = correctAwareness(before, at('2026-05-03T22:00:00Z'));
    expect(after.map((c) => c.regime)).toEqual(before.map((c) => c.regime));
    expect(deadlines(after)).toEqual({
      'gdpr-art33': '2026-05-06T22:00:00.000Z',
      'nis2-early-warning': '2026-05-04T22:00:00.000Z',
      'nis2-notification': '2026-05-06T22:00:00.000Z',
      'nis2-final': '2026-06-06T22:00:00.000Z',
    });
    expect(after.every((c) => c.awareAt === '2026-05-03T22:00:00.000Z')).toBe(true);
    const sent = dueReminders(before, at('2026-05-07T09:30:00Z'), [4 * HOUR_MS], []).map((r) => r.key);
    expect(dueReminders(after, at('2026-05-07T09:30:00Z'), [4 * HOUR_MS], sent).length).toBeGreaterThan(0);
  });

  it('rejects an invalid time', () => {
    expect(() => correctAwareness([], new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('NIS2 Art. 23(4)(d): the final report follows the submitted notification', () => {
  it('is due one month after the recorded submission, not one month after awareness', () => {
    const awareAt = at('2026-05-04T09:30:00Z');
    // The notification went in two days after awareness, a day before its 72 h deadline.
    expect(nis2FinalDeadline(at('2026-05-06T15:10:00Z')).toISOString()).toBe('2026-06-06T15:10:00.000Z');
    // Until it is recorded: one month after the notification's own deadline.
    expect(deadlineFor('nis2-final', awareAt).toISOString()).toBe('2026-06-07T09:30:00.000Z');
    expect(addCalendarMonthUtc(awareAt).toISOString()).toBe('2026-06-04T09:30:00.000Z'); // the old, wrong anchor
  });

  it('follows the end-of-month rule from the submission', () => {
    expect(nis2FinalDeadline(at('2026-01-31T08:00:00Z')).toISOString()).toBe('2026-02-28T08:00:00.000Z');
  });
});

describe('processor and Art. 34 clocks', () => {
  it('a processor notifies its controller within 24 h by default, or the hours configured', () => {
    const awareAt = at('2026-05-04T09:30:00Z');
    expect(deadlineFor('gdpr-art33-processor', awareAt).toISOString()).toBe('2026-05-05T09:30:00.000Z');
    expect(deadlineFor('gdpr-art33-processor', awareAt, { processorNotifyHours: 12 }).toISOString()).toBe('2026-05-04T21:30:00.000Z');
    expect(deadlineFor('gdpr-art34', awareAt).toISOString()).toBe('2026-05-07T09:30:00.000Z');
  });
});

describe('awarenessRefusal', () => {
  const opened = at('2026-05-04T09:30:00Z');
  const now = at('2026-05-05T12:00:00Z');
  it('accepts an earlier awareness', () => {
    expect(awarenessRefusal(at('2026-05-03T22:00:00Z'), opened, now)).toBeUndefined();
    expect(awarenessRefusal(opened, opened, now)).toBeUndefined();
  });
  it('refuses awareness in the future', () => {
    expect(awarenessRefusal(at('2030-01-01T00:00:00Z'), opened, now)).toMatch(/in the future/);
  });
  it('refuses awareness later than the incident was opened (it would stretch a running deadline)', () => {
    expect(awarenessRefusal(at('2026-05-05T08:00:00Z'), opened, now)).toMatch(/later than the incident was opened/);
  });
  it('refuses an invalid time', () => {
    expect(awarenessRefusal(new Date('nope'), opened, now)).toBe('is not a valid time');
  });
});
