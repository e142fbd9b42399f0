import { UsageError } from '../../core/errors.js';
import { loadSettings } from '../../config/settings.js';
import { openLocalRecords } from '../../engine/runtime.js';
import { localActor } from '../../engine/actor.js';
import { parse } from '../args.js';
import { type Command, EXIT, type Io } from '../io.js';

/**
 * The kill switch (DESIGN.md §4): one flag in the case store that every intake reads. While it is
 * on, each new incident is planned and recorded with every acting step skipped as `paused` — no
 * cloud is called — and the change of state is audited with who made it.
 */
function switchCommand(paused: boolean): Command {
  const name = paused ? 'pause' : 'resume';
  return {
    name,
    help: paused
      ? `Usage: cordon pause [--reason TEXT]

Stops all automatic action at once: while paused, every intake (and every tabletop) records its
incidents with their steps skipped as 'paused' and calls no cloud. 'cordon resume' restores action.
The change is audited with who made it (the OS user here; the IAM or Entra identity in the cloud).`
      : `Usage: cordon resume

Ends a 'cordon pause': the next intake acts again. Audited with who made it.`,
    async run(argv: string[], io: Io) {
      const { values, positionals } = parse(name, argv, paused ? { reason: { type: 'string' } } : {});
      if (positionals.length > 0) throw new UsageError(`${name}: unexpected argument '${positionals[0]}'`);
      const records = openLocalRecords(loadSettings(io.env, io.cwd).home);
      try {
        const by = localActor(io.env);
        const at = new Date().toISOString();
        const reason = typeof values.reason === 'string' ? values.reason : undefined;
        const state = await records.store.setPause(paused ? { paused: true, by, at, ...(reason ? { reason } : {}) } : { paused: false, by, at });
        await records.audit.append({ incident: null, event: paused ? 'cordon.paused' : 'cordon.resumed', data: { ...state } });
        io.out(paused ? `paused by ${by}${reason ? `: ${reason}` : ''} — nothing acts automatically until 'cordon resume'` : `resumed by ${by} — automatic action restored`);
        return EXIT.ok;
      } finally {
        await records.close();
      }
    },
  };
}

export const pauseCommand = switchCommand(true);
export const resumeCommand = switchCommand(false);
