import { correctAwareness, formatDuration, timeLeft } from '../../core/clocks/clocks.js';
import { UsageError } from '../../core/errors.js';
import { CLOCK_REGIMES, type ClockRegime } from '../../core/model.js';
import { INCIDENT_ID } from '../../core/incident-id.js';
import { loadSettings } from '../../config/settings.js';
import { openLocalRecords } from '../../engine/runtime.js';
import { CaseStoreError } from '../../records/case-store.js';
import { isoDate, parse, requireString } from '../args.js';
import { dim, red, table, yellow } from '../format.js';
import { type Command, EXIT, type Io } from '../io.js';

export const clocksCommand: Command = {
  name: 'clocks',
  help: `Usage: cordon clocks [--json]
       cordon clocks notify INCIDENT --regime R --reference TEXT [--by NAME]
       cordon clocks correct INCIDENT --aware-at ISO --reason TEXT [--regime R] [--by NAME]

  (no sub-command)  open clocks, soonest deadline first, with the time left
  notify            records that the notification was made (authority reference) and closes that
                    clock — only a person closes a clock
  correct           moves the time of awareness (and so the deadline) of the incident's clocks,
                    keeping the earlier time and the reason in the record and the audit log

Regimes: ${CLOCK_REGIMES.join(', ')}.
GDPR Art. 33(1): notify the supervisory authority within 72 hours of becoming aware.
NIS2 Art. 23(4): early warning within 24 h, notification within 72 h, final report within one month.`,
  async run(argv, io) {
    const { values, positionals } = parse('clocks', argv, {
      json: { type: 'boolean' },
      regime: { type: 'string' },
      reference: { type: 'string' },
      by: { type: 'string' },
      'aware-at': { type: 'string' },
      reason: { type: 'string' },
    });
    const [sub, incident, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`clocks: unexpected argument '${extra[0]}'`);
    const settings = loadSettings(io.env, io.cwd);
    const records = openLocalRecords(settings.home);
    try {
      if (sub === undefined) return await list(io, records, values.json === true);
      if (sub !== 'notify' && sub !== 'correct') throw new UsageError(`clocks: expected notify or correct, got '${sub}'`);
      if (incident === undefined || !INCIDENT_ID.test(incident)) throw new UsageError(`clocks ${sub}: give an INCIDENT id such as inc-0123456789abcdef${incident ? `, got '${incident}'` : ''}`);
      const by = values.by ?? io.env.USER ?? 'unknown';
      const at = new Date().toISOString();
      const regime = values.regime === undefined ? undefined : parseRegime(values.regime);
      const clocks = await records.store.listClocks(incident);
      if (clocks.length === 0) throw new UsageError(`clocks ${sub}: incident ${incident} has no clocks`);
      if (sub === 'notify') {
        if (!regime) throw new UsageError('clocks notify: --regime is required');
        const reference = requireString('clocks notify', 'reference', values.reference);
        const closed = await records.store.closeClock(incident, regime, { reference, by, at });
        await records.audit.append({ incident, event: 'notification', data: { regime, reference, by } });
        await records.audit.append({ incident, event: 'clock.closed', data: { regime, reference, by, deadline: closed.deadline } });
        io.out(`closed ${regime} for ${incident}: notification ${reference} recorded by ${by} (${Date.parse(at) <= Date.parse(closed.deadline) ? 'on time' : red('after the deadline')})`);
        return EXIT.ok;
      }
      const awareAt = isoDate('clocks correct', 'aware-at', requireString('clocks correct', 'aware-at', values['aware-at']));
      const reason = requireString('clocks correct', 'reason', values.reason);
      const targets = clocks.filter((c) => c.state === 'open' && (regime === undefined || c.regime === regime));
      for (const c of targets) {
        const [moved] = correctAwareness([c], awareAt as Date);
        if (!moved) continue;
        await records.store.correctAwareness(incident, c.regime, { awareAt: moved.awareAt, deadline: moved.deadline, reason, by, at });
        await records.audit.append({ incident, event: 'clock.awareness-corrected', data: { regime: c.regime, previousAwareAt: c.awareAt, previousDeadline: c.deadline, awareAt: moved.awareAt, deadline: moved.deadline, reason, by } });
        io.out(`${c.regime}: awareness ${c.awareAt} → ${moved.awareAt}; deadline now ${moved.deadline}`);
      }
      return EXIT.ok;
    } catch (e) {
      if (e instanceof CaseStoreError) {
        io.err(`cordon: clocks: ${e.message}`);
        return EXIT.badInput;
      }
      throw e;
    } finally {
      await records.close();
    }
  },
};

function parseRegime(value: string): ClockRegime {
  if (!(CLOCK_REGIMES as readonly string[]).includes(value)) throw new UsageError(`clocks: --regime must be one of ${CLOCK_REGIMES.join(', ')}, got '${value}'`);
  return value as ClockRegime;
}

async function list(io: Io, records: ReturnType<typeof openLocalRecords>, json: boolean): Promise<number> {
  const now = new Date();
  const open = (await records.store.listOpenClocks()).sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline));
  if (json) {
    io.out(JSON.stringify({ now: now.toISOString(), clocks: open.map((c) => ({ incident: c.incident, regime: c.regime, awareAt: c.awareAt, deadline: c.deadline, msLeft: timeLeft(c, now), overdue: timeLeft(c, now) < 0 })) }, null, 2));
    return EXIT.ok;
  }
  if (open.length === 0) {
    io.out(`No open clocks in ${records.home}.`);
    return EXIT.ok;
  }
  io.out(
    table(
      ['incident', 'regime', 'aware (UTC)', 'deadline (UTC)', 'time left'],
      open.map((c) => {
        const left = timeLeft(c, now);
        const text = formatDuration(left);
        return [c.incident, c.regime, c.awareAt, c.deadline, left < 0 ? red(text) : left < 24 * 3_600_000 ? yellow(text) : text];
      }),
    ),
  );
  io.out(dim(`\nRecord a notification: cordon clocks notify INCIDENT --regime REGIME --reference TEXT`));
  return EXIT.ok;
}
