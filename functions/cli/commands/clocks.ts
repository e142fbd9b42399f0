import { formatDuration, timeLeft } from '../../core/clocks/clocks.js';
import { UsageError } from '../../core/errors.js';
import { CLOCK_REGIMES, type ClockRegime } from '../../core/model.js';
import { INCIDENT_ID } from '../../core/incident-id.js';
import { loadSettings } from '../../config/settings.js';
import { closeNotNotifiable, correctIncidentAwareness, recordNotification, type DecisionDeps } from '../../engine/clock-decisions.js';
import { openLocalRecords } from '../../engine/runtime.js';
import { CaseStoreError } from '../../records/case-store.js';
import { isoDate, operatorName, parse, requireString } from '../args.js';
import { dim, red, table, yellow } from '../format.js';
import { type Command, EXIT, type Io } from '../io.js';

const SUBCOMMANDS = ['notify', 'correct', 'close'] as const;

export const clocksCommand: Command = {
  name: 'clocks',
  help: `Usage: cordon clocks [--json]
       cordon clocks notify INCIDENT --regime R --reference TEXT [--by NAME]
       cordon clocks close INCIDENT --regime R --not-notifiable --rationale TEXT [--by NAME]
       cordon clocks correct INCIDENT --aware-at ISO --reason TEXT [--regime R] [--by NAME]

  (no sub-command)  open clocks, soonest deadline first, with the time left
  notify            records that the notification was made (authority reference) and closes that
                    clock; a GDPR notification settles the breach register entry, a NIS2 incident
                    notification moves the final report to one month after this submission
  close             records the decision that the incident is not notifiable under R, with the
                    reasoning (GDPR Art. 33(5)); kept in the breach register (cordon register)
  correct           moves the time of awareness (and so the deadline) of the incident's open clocks,
                    earlier only: never into the future nor later than the incident was opened;
                    keeps the earlier time and the reason in the record and the audit log

--by defaults to the OS user running the command. Only a person closes a clock.

Regimes: ${CLOCK_REGIMES.join(', ')}.
GDPR Art. 33(1): notify the supervisory authority within 72 hours of becoming aware (a processor
notifies its controller, CORDON_GDPR_ROLE=processor, default 24 h); Art. 34: the people concerned.
NIS2 Art. 23(4): early warning within 24 h, notification within 72 h, final report one month after
the notification was submitted.`,
  async run(argv, io) {
    const { values, positionals } = parse('clocks', argv, {
      json: { type: 'boolean' },
      regime: { type: 'string' },
      reference: { type: 'string' },
      by: { type: 'string' },
      'aware-at': { type: 'string' },
      reason: { type: 'string' },
      'not-notifiable': { type: 'boolean' },
      rationale: { type: 'string' },
    });
    const [sub, incident, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`clocks: unexpected argument '${extra[0]}'`);
    if (sub !== undefined && !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`clocks: expected ${SUBCOMMANDS.join(', ')}, got '${sub}'`);
    if (sub !== undefined && (incident === undefined || !INCIDENT_ID.test(incident))) {
      throw new UsageError(`clocks ${sub}: give an INCIDENT id such as inc-0123456789abcdef${incident ? `, got '${incident}'` : ''}`);
    }
    const regime = values.regime === undefined ? undefined : parseRegime(values.regime);
    // Validate everything before opening the records: bad input acts on nothing.
    const input =
      sub === 'notify'
        ? { sub: 'notify' as const, regime: required(sub, regime), reference: requireString('clocks notify', 'reference', values.reference) }
        : sub === 'close'
          ? closeInput(values['not-notifiable'] === true, required(sub, regime), values.rationale)
          : sub === 'correct'
            ? {
                sub: 'correct' as const,
                awareAt: isoDate('clocks correct', 'aware-at', requireString('clocks correct', 'aware-at', values['aware-at'])) as Date,
                reason: requireString('clocks correct', 'reason', values.reason),
              }
            : undefined;
    const by = input ? operatorName(values.by, io.env) : '';
    const settings = loadSettings(io.env, io.cwd);
    const records = openLocalRecords(settings.home);
    try {
      if (!input || incident === undefined) return await list(io, records, values.json === true);
      const deps: DecisionDeps = { store: records.store, audit: records.audit, now: new Date(), clockOptions: { processorNotifyHours: settings.processorNotifyHours } };
      if (input.sub === 'notify') {
        const done = await recordNotification(deps, incident, input.regime, input.reference, by);
        io.out(`closed ${input.regime} for ${incident}: notification ${input.reference} recorded by ${by} (${done.onTime ? 'on time' : red('after the deadline')})`);
        if (done.register) io.out(`breach register: ${incident} ${done.register.status}`);
        if (done.anchored) io.out(`nis2-final now due ${done.anchored.deadline} (one month after this notification was submitted)`);
        return EXIT.ok;
      }
      if (input.sub === 'close') {
        const done = await closeNotNotifiable(deps, incident, input.regime, input.rationale, by);
        io.out(`${done.clock ? `closed ${input.regime}` : `no ${input.regime} clock ran`} for ${incident}: not notifiable, decided by ${by} — ${input.rationale}`);
        if (done.register) io.out(`breach register: ${incident} ${done.register.status}`);
        return EXIT.ok;
      }
      const done = await correctIncidentAwareness(deps, incident, { awareAt: input.awareAt, reason: input.reason, by, ...(regime ? { regime } : {}) });
      for (const c of done.corrected) io.out(`${c.regime}: awareness ${c.previousAwareAt} → ${c.awareAt}; deadline now ${c.deadline}`);
      for (const r of done.refused) io.err(`cordon: clocks correct: ${r.reason}`);
      return done.corrected.length > 0 ? EXIT.ok : EXIT.badInput;
    } catch (e) {
      if (e instanceof CaseStoreError) {
        io.err(`cordon: clocks${sub ? ` ${sub}` : ''}: ${e.message}`);
        return EXIT.badInput;
      }
      throw e;
    } finally {
      await records.close();
    }
  },
};

function required(sub: string, regime: ClockRegime | undefined): ClockRegime {
  if (!regime) throw new UsageError(`clocks ${sub}: --regime is required (one of ${CLOCK_REGIMES.join(', ')})`);
  return regime;
}

function closeInput(notNotifiable: boolean, regime: ClockRegime, rationale: string | undefined) {
  // Closing by notification is `clocks notify`; `close` is only the not-notifiable decision, said out loud.
  if (!notNotifiable) throw new UsageError("clocks close: --not-notifiable is required (to record a notification: 'cordon clocks notify')");
  return { sub: 'close' as const, regime, rationale: requireString('clocks close', 'rationale', rationale?.trim() ? rationale : undefined) };
}

function parseRegime(value: string): ClockRegime {
  if (!(CLOCK_REGIMES as readonly string[]).includes(value)) throw new UsageError(`clocks: --regime must be one of ${CLOCK_REGIMES.join(', ')}, got '${value}'`);
  return value as ClockRegime;
}

async function list(io: Io, records: ReturnType<typeof openLocalRecords>, json: boolean): Promise<number> {
  const now = new Date();
  const open = (await records.store.listOpenClocks()).sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline));
  if (json) {
    io.out(
      JSON.stringify(
        {
          now: now.toISOString(),
          clocks: open.map((c) => ({
            incident: c.incident,
            regime: c.regime,
            awareAt: c.awareAt,
            deadline: c.deadline,
            status: timeLeft(c, now) < 0 || c.missedAt !== undefined ? 'overdue' : 'open',
            shadow: c.shadow === true,
            msLeft: timeLeft(c, now),
          })),
        },
        null,
        2,
      ),
    );
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
        return [`${c.incident}${c.shadow ? ' (shadow)' : ''}`, c.regime, c.awareAt, c.deadline, left < 0 ? red(text) : left < 24 * 3_600_000 ? yellow(text) : text];
      }),
    ),
  );
  io.out(dim(`\nRecord a notification: cordon clocks notify INCIDENT --regime REGIME --reference TEXT\nNot notifiable:        cordon clocks close INCIDENT --regime REGIME --not-notifiable --rationale TEXT`));
  return EXIT.ok;
}
