import { UsageError } from '../../core/errors.js';
import { INCIDENT_ID } from '../../core/incident-id.js';
import { loadSettings } from '../../config/settings.js';
import { releaseIncident } from '../../engine/release.js';
import { parse } from '../args.js';
import { bold, dim } from '../format.js';
import { type Command, EXIT, type Io } from '../io.js';

export const releaseCommand: Command = {
  name: 'release',
  help: `Usage: cordon release INCIDENT [--step ACTION:TARGET] [--execute [--sim]] [--json]

Audited undo: for every step of INCIDENT that changed something (or only --step), restores the
before-state recorded in the audit log — never from tags, which an attacker can rewrite: original
security groups per interface and termination protection, NSGs, Block Public Access,
allowBlobPublicAccess, access keys. Preservation (snapshots) is never undone. A dry run unless
--execute; each restore appends a release.<action> record to the audit log; a step already
released is not released again.

Options:
  --step ACTION:TARGET  only this step (e.g. quarantine-instance:i-0abc…)
  --execute             act (default: say what would be restored)
  --sim                 act on the simulated estate of $CORDON_HOME (a tabletop run directory's
                        estate.json), and write it back
  --json                one JSON document { incident, execute, steps: [ { step, action, target,
                        status, restores, summary } ], audit, estate }

Example:
  CORDON_HOME=.cordon/tabletop/<run> cordon release inc-0123456789abcdef --execute --sim

Exit codes: 0 done (or dry run), 1 a restore failed, 2 bad input.`,
  async run(argv: string[], io: Io) {
    const { values, positionals } = parse('release', argv, { step: { type: 'string' }, execute: { type: 'boolean' }, sim: { type: 'boolean' }, cloud: { type: 'boolean' }, json: { type: 'boolean' } });
    const [incident, ...extra] = positionals;
    if (incident === undefined || !INCIDENT_ID.test(incident)) throw new UsageError(`release: give an INCIDENT id such as inc-0123456789abcdef${incident ? `, got '${incident}'` : ''}`);
    if (extra.length > 0) throw new UsageError(`release: unexpected argument '${extra[0]}'`);
    if ((values.sim || values.cloud) && !values.execute) throw new UsageError('release: --sim and --cloud go with --execute');
    if (values.cloud) throw new UsageError('release: --cloud is not available yet (no release state machine is deployed); use --execute against the accounts, or --sim');
    const outcome = await releaseIncident({ incident, ...(values.step !== undefined ? { step: values.step } : {}), settings: loadSettings(io.env, io.cwd), execute: values.execute === true, sim: values.sim === true });
    if (values.json) {
      io.out(JSON.stringify(outcome, null, 2));
    } else {
      io.out(bold(`${outcome.execute ? 'Release' : 'Dry run of the release'} of ${incident}${outcome.execute ? '' : ' — nothing will change'}`));
      for (const s of outcome.steps) io.out(`  ${s.status.padEnd(16)} ${s.step}  ${dim(s.summary)}`);
      if (outcome.steps.length === 0) io.out('  no step of this incident changed anything');
      io.out(dim(`Audit log: ${outcome.audit.file} (${outcome.audit.records} records)${outcome.estate ? `  estate: ${outcome.estate}` : ''}`));
      if (!outcome.execute && outcome.steps.some((s) => s.status === 'would-release')) io.out(dim(`To act: cordon release ${incident} --execute${values.sim ? ' --sim' : ''}`));
    }
    return outcome.failed ? EXIT.failed : EXIT.ok;
  },
};
