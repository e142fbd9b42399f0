import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult } from '../../core/actions/types.js';
import { clocksFor } from '../../core/clocks/clocks.js';
import type { CaseStore } from '../../records/case-store.js';
import type { ActionModule } from '../types.js';

/** Cordon's own state is the "cloud" of open-clock: the case store that persists the clocks. */
export interface CordonContext {
  store: CaseStore;
  now(): Date;
  reminderOffsetsHours?: readonly number[];
}

function scope(input: ActionInput) {
  const awareAt = new Date(String(input.params.awareAt ?? ''));
  return { gdpr: input.params.gdpr === true, nis2: input.params.nis2 === true, awareAt };
}

export const openClock: ActionModule<CordonContext> = {
  spec: ACTION_CATALOG['open-clock'],
  plannedCalls(input) {
    return clocksFor(scope(input)).map((c) => ({ operation: 'cordon:OpenClock', request: { incident: input.incidentId, regime: c.regime, awareAt: c.awareAt, deadline: c.deadline } }));
  },
  async run(input, ctx): Promise<ActionResult> {
    const s = scope(input);
    if (Number.isNaN(s.awareAt.getTime())) return { status: 'failed', errorClass: 'InvalidTarget', message: 'open-clock: params.awareAt is not an ISO-8601 time' };
    const clocks = clocksFor(s);
    if (clocks.length === 0) return { status: 'skipped', reason: 'no-regime', summary: 'no GDPR or NIS2 regime in scope' };
    const openedAt = ctx.now().toISOString();
    const opened: typeof clocks = [];
    for (const clock of clocks) {
      const options = ctx.reminderOffsetsHours ? { openedAt, reminderOffsetsHours: ctx.reminderOffsetsHours } : { openedAt };
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
