import { formatDuration } from '../core/clocks/clocks.js';
import type { AuditTrail } from '../records/audit-log.js';
import type { CaseStore, ClockRecord } from '../records/case-store.js';
import { compileClockWatch } from '../../workflows/compile.js';
import { clockWatchInput } from '../../workflows/input.js';
import { runClockWatch } from '../../workflows/clock-runner.js';

export interface ClockWatchEvent {
  incident: string;
  regime: string;
  kind: 'reminder' | 'overdue';
  /** The exercise's own time when it fired (ISO-8601 UTC). */
  exerciseAt: string;
  text: string;
}

/**
 * Follows every open clock to its deadline with the clock-watch workflow (Wait until the
 * reminder time, remind, Wait until the deadline, check), compressed so the longest clock takes
 * about `wallMs`. Reminders are recorded once in the case store and the audit log; a deadline
 * passed with no notification recorded is reported. Used by the tabletop to show the clocks run.
 */
export async function followClocks(
  deps: { store: CaseStore; audit: AuditTrail; reminderOffsetsMs: readonly number[]; onEvent?: (e: ClockWatchEvent) => void },
  wallMs = 1500,
): Promise<{ speed: number; events: ClockWatchEvent[] }> {
  const clocks = await deps.store.listOpenClocks();
  const start = Date.now();
  const longest = Math.max(1, ...clocks.map((c) => Date.parse(c.deadline) - start));
  const speed = longest / wallMs;
  const events: ClockWatchEvent[] = [];
  const emit = (e: ClockWatchEvent) => {
    events.push(e);
    deps.onEvent?.(e);
  };
  const definition = compileClockWatch();
  const runs: Promise<unknown>[] = [];
  for (const clock of clocks) {
    for (const offsetMs of deps.reminderOffsetsMs) {
      if (Date.parse(clock.deadline) - offsetMs <= Date.parse(clock.awareAt)) continue;
      const last = offsetMs === Math.min(...deps.reminderOffsetsMs);
      runs.push(
        runClockWatch(definition, clockWatchInput(clock.incident, clock, offsetMs), {
          speed,
          // The exercise's clock reads the timestamp the Wait was for (wall time adds interpreter overhead).
          remind: async () => remind(deps, clock, offsetMs, new Date(Date.parse(clock.deadline) - offsetMs).toISOString(), emit),
          // Every watch ends at the deadline; one check per clock is enough.
          overdueCheck: async () => (last ? overdue(deps, clock, clock.deadline, emit) : undefined),
        }),
      );
    }
  }
  await Promise.all(runs);
  return { speed, events };
}

async function remind(deps: { store: CaseStore; audit: AuditTrail }, clock: ClockRecord, offsetMs: number, at: string, emit: (e: ClockWatchEvent) => void) {
  const offsetHours = offsetMs / 3_600_000;
  if (!(await deps.store.recordReminder(clock.incident, clock.regime, offsetHours, at))) return;
  await deps.audit.append({ incident: clock.incident, event: 'clock.reminder', data: { regime: clock.regime, deadline: clock.deadline, offsetHours, exerciseAt: at } });
  emit({ incident: clock.incident, regime: clock.regime, kind: 'reminder', exerciseAt: at, text: `${clock.regime}: ${formatDuration(offsetMs)} left until ${clock.deadline} — notification not yet recorded` });
}

/** The deadline passed with nothing recorded: the clock is marked missed (once), so the report says so in the exercise's time. */
async function overdue(deps: { store: CaseStore; audit: AuditTrail }, clock: ClockRecord, at: string, emit: (e: ClockWatchEvent) => void) {
  const current = await deps.store.getClock(clock.incident, clock.regime);
  if (!current || current.state !== 'open') return;
  if (!(await deps.store.recordMissed(clock.incident, clock.regime, at))) return;
  await deps.audit.append({ incident: clock.incident, event: 'clock.missed', data: { regime: clock.regime, deadline: clock.deadline, exerciseAt: at } });
  emit({ incident: clock.incident, regime: clock.regime, kind: 'overdue', exerciseAt: at, text: `${clock.regime}: deadline ${clock.deadline} passed with no notification recorded (in a real incident: cordon clocks notify ${clock.incident} --regime ${clock.regime} --reference …)` });
}
