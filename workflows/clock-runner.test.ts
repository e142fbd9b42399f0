import { describe, expect, it } from 'vitest';
import { runClockWatch } from './clock-runner.js';
import { compileClockWatch } from './compile.js';
import { clockWatchInput } from './input.js';
import type { ClockWatchInput } from './input.js';

const machine = compileClockWatch();
const HOUR = 3_600_000;

describe('runClockWatch', () => {
  const start = Date.parse('2024-03-30T12:00:00Z');
  // A GDPR clock across the EU DST change (31 March 2024): 72 h is 72 h of UTC.
  const clock = { regime: 'gdpr-art33' as const, awareAt: '2024-03-30T12:00:00.000Z', deadline: '2024-04-02T12:00:00.000Z' };

  it('reminds before the deadline, then checks at the deadline, in that order', async () => {
    const input = clockWatchInput('inc-1', clock, 24 * HOUR);
    expect(input.remindAt).toBe('2024-04-01T12:00:00.000Z');
    const seen: string[] = [];
    const outcome = await runClockWatch(machine, input, {
      remind: async (c) => void seen.push(`remind ${c.regime}`),
      overdueCheck: async (c) => void seen.push(`check ${c.deadline}`),
      // 72 h of clock time in well under a second.
      speed: 72 * HOUR,
      now: () => start,
    });
    expect(seen).toEqual(['remind gdpr-art33', 'check 2024-04-02T12:00:00.000Z']);
    expect(outcome.tasks.map((t) => t.kind)).toEqual(['reminder', 'overdue-check']);
  });

  it('still checks the deadline when the reminder fails', async () => {
    const input: ClockWatchInput = { incidentId: 'inc-1', ...clock, remindAt: clock.awareAt };
    const outcome = await runClockWatch(machine, input, {
      remind: async () => {
        throw new Error('mail relay down');
      },
      overdueCheck: async () => undefined,
      speed: 72 * HOUR,
      now: () => start,
    });
    expect(outcome.tasks).toEqual([
      { kind: 'reminder', at: expect.any(String), error: 'mail relay down' },
      { kind: 'overdue-check', at: expect.any(String) },
    ]);
  });

  it('does not wait for timestamps already past', async () => {
    const input = clockWatchInput('inc-1', clock, 4 * HOUR);
    const outcome = await runClockWatch(machine, input, {
      remind: async () => undefined,
      overdueCheck: async () => undefined,
      now: () => Date.parse('2024-05-01T00:00:00Z'),
    });
    expect(outcome.tasks).toHaveLength(2);
  });

  it('never reminds before awareness', () => {
    expect(clockWatchInput('inc-1', clock, 100 * HOUR).remindAt).toBe(clock.awareAt);
  });
});
