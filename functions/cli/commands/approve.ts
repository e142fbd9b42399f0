import { UsageError } from '../../core/errors.js';
import { INCIDENT_ID } from '../../core/incident-id.js';
import { loadSettings } from '../../config/settings.js';
import { openLocalRecords } from '../../engine/runtime.js';
import { localActor } from '../../engine/actor.js';
import { parse, requireString } from '../args.js';
import { type Command, EXIT, type Io } from '../io.js';

function decisionCommand(decision: 'approved' | 'rejected'): Command {
  const name = decision === 'approved' ? 'approve' : 'reject';
  return {
    name,
    help: `Usage: cordon ${name} INCIDENT [--step STEP] [--by NAME]${decision === 'rejected' ? ' --reason TEXT' : ' [--reason TEXT]'}

Resources tagged cordon:approval=required (or playbooks with approval: required) pause their
workflow until a person decides. This records the decision for every pending step of INCIDENT
(or only --step STEP, e.g. quarantine-instance:i-0abc…); the waiting workflow resumes${decision === 'rejected' ? ' and reports\nthe step skipped with your reason' : ''}. The decision goes to the audit log.`,
    async run(argv: string[], io: Io) {
      const { values, positionals } = parse(name, argv, { step: { type: 'string' }, by: { type: 'string' }, reason: { type: 'string' } });
      const [incident, ...extra] = positionals;
      if (incident === undefined || !INCIDENT_ID.test(incident)) throw new UsageError(`${name}: give an INCIDENT id such as inc-0123456789abcdef${incident ? `, got '${incident}'` : ''}`);
      if (extra.length > 0) throw new UsageError(`${name}: unexpected argument '${extra[0]}'`);
      const reason = decision === 'rejected' ? requireString(name, 'reason', values.reason) : values.reason;
      const records = openLocalRecords(loadSettings(io.env, io.cwd).home);
      try {
        const pending = (await records.store.listPendingApprovals(incident)).filter((a) => values.step === undefined || a.stepId === values.step);
        if (pending.length === 0) {
          io.err(`cordon: ${name}: nothing is waiting for approval in ${incident}${values.step ? ` (step ${values.step})` : ''}`);
          return EXIT.badInput;
        }
        // The authenticated local identity is always recorded; a --by name goes beside it, never instead.
        const identity = localActor(io.env);
        const by = values.by ? `${values.by} (${identity})` : identity;
        for (const a of pending) {
          await records.store.decideApproval(incident, a.stepId, { decision, by, at: new Date().toISOString(), ...(reason ? { reason } : {}) });
          await records.audit.append({ incident, event: decision === 'approved' ? 'approval.approved' : 'approval.rejected', data: { step: a.stepId, by, ...(reason ? { reason } : {}) } });
          io.out(`${decision} ${a.stepId} (${incident}) by ${by}`);
        }
        return EXIT.ok;
      } finally {
        await records.close();
      }
    },
  };
}

export const approveCommand = decisionCommand('approved');
export const rejectCommand = decisionCommand('rejected');
