import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult } from '../../core/actions/types.js';
import { clocksFor, DEFAULT_CLOCK_OPTIONS } from '../../core/clocks/clocks.js';
import { CLOCK_REGIMES, type ClockRegime } from '../../core/model.js';
import type { CaseStore } from '../../records/case-store.js';
import type { ActionModule } from '../types.js';

/** Cordon's own state is the "cloud" of open-clock: the case store that persists the clocks. */
export interface CordonContext {
  store: CaseStore;
  now(): Date;
  reminderOffsetsHours?: readonly number[];
  /** Shadow mode: clocks are opened marked `shadow: true` (DESIGN.md §3). */
  shadow?: boolean;
}

/** The planner decided the regimes (functions/core/clocks/assessment.ts); the step opens exactly those. */
function scope(input: ActionInput): { regimes: ClockRegime[]; unknown: string[]; awareAt: Date; processorNotifyHours: number } {
  const listed = String(input.params.regimes ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const regimes = listed.filter((r): r is ClockRegime => (CLOCK_REGIMES as readonly string[]).includes(r));
  const hours = Number(input.params.processorNotifyHours ?? DEFAULT_CLOCK_OPTIONS.processorNotifyHours);
  return {
    regimes,
    unknown: listed.filter((r) => !(CLOCK_REGIMES as readonly string[]).includes(r)),
    awareAt: new Date(String(input.params.awareAt ?? '')),
    processorNotifyHours: Number.isFinite(hours) && hours > 0 ? hours : DEFAULT_CLOCK_OPTIONS.processorNotifyHours,
  };
}

const clocksOf = (s: ReturnType<typeof scope>) => clocksFor(s.regimes, s.awareAt, { processorNotifyHours: s.processorNotifyHours });

export const openClock: ActionModule<CordonContext> = {
  spec: ACTION_CATALOG['open-clock'],
  plannedCalls(input) {
    const s = scope(input);
    if (Number.isNaN(s.awareAt.getTime())) return [];
    return clocksOf(s).map((c) => ({ operation: 'cordon:OpenClock', request: { incident: input.incidentId, regime: c.regime, awareAt: c.awareAt, deadline: c.deadline } }));
  },
  async run(input, ctx): Promise<ActionResult> {
    const s = scope(input);
    if (Number.isNaN(s.awareAt.getTime())) return { status: 'failed', errorClass: 'InvalidTarget', message: 'open-clock: params.awareAt is not an ISO-8601 time' };
    if (s.unknown.length > 0) return { status: 'failed', errorClass: 'InvalidTarget', message: `open-clock: params.regimes names unknown regimes: ${s.unknown.join(', ')}` };
    const clocks = clocksOf(s);
    if (clocks.length === 0) return { status: 'skipped', reason: 'no-regime', summary: 'the breach assessment opens no clock' };
    const openedAt = ctx.now().toISOString();
    const opened: typeof clocks = [];
    for (const clock of clocks) {
      const options = { openedAt, ...(ctx.reminderOffsetsHours ? { reminderOffsetsHours: ctx.reminderOffsetsHours } : {}), ...(ctx.shadow ? { shadow: true } : {}) };
      const { created } = await ctx.store.openClock(input.incidentId, clock, options);
      if (created) opened.push(clock);
    }
    if (opened.length === 0) return { status: 'skipped', reason: 'already-done', summary: `clocks already open: ${clocks.map((c) => c.regime).join(', ')}` };
    return {
      status: 'succeeded',
      before: { open: clocks.filter((c) => !opened.includes(c)).map((c) => c.regime) },
      after: { open: clocks.map((c) => c.regime) },
      evidence: [],
      clocks: opened,
      summary: opened.map((c) => `${c.regime} due ${c.deadline}`).join('; '),
    };
  },
};
