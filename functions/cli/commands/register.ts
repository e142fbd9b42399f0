import { UsageError } from '../../core/errors.js';
import { loadSettings } from '../../config/settings.js';
import { openLocalRecords } from '../../engine/runtime.js';
import type { RegisterEntry } from '../../records/case-store.js';
import { parse } from '../args.js';
import { dim, table } from '../format.js';
import { type Command, EXIT } from '../io.js';

/** One register entry as DESIGN.md §3 prints it. */
export function registerEntryJson(e: RegisterEntry) {
  return {
    incident: e.incident,
    personalData: e.personalData,
    status: e.status,
    basis: e.basis,
    rationale: e.rationale ?? null,
    decidedBy: e.decidedBy,
    decidedAt: e.decidedAt,
    shadow: e.shadow,
  };
}

export const registerCommand: Command = {
  name: 'register',
  help: `Usage: cordon register [--json]

The breach register (GDPR Art. 33(5)): every incident's breach assessment — whether the affected
resources hold personal data (from their classification tags), its status (assessing, notifiable,
not-notifiable, notified), the basis, the rationale of a person's decision, who decided and when.
A person decides with 'cordon clocks notify' or 'cordon clocks close --not-notifiable'.`,
  async run(argv, io) {
    const { values, positionals } = parse('register', argv, { json: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`register: unexpected argument '${positionals[0]}'`);
    const settings = loadSettings(io.env, io.cwd);
    const records = openLocalRecords(settings.home);
    try {
      const entries = await records.store.listRegister();
      if (values.json) {
        io.out(JSON.stringify({ entries: entries.map(registerEntryJson) }, null, 2));
        return EXIT.ok;
      }
      if (entries.length === 0) {
        io.out(`The breach register in ${records.home} is empty.`);
        return EXIT.ok;
      }
      io.out(
        table(
          ['incident', 'personal data', 'status', 'decided by', 'decided at (UTC)', 'basis / rationale'],
          entries.map((e) => [`${e.incident}${e.shadow ? ' (shadow)' : ''}`, e.personalData, e.status, e.decidedBy, e.decidedAt, e.rationale ?? e.basis]),
        ),
      );
      io.out(dim('\nDecide: cordon clocks notify INCIDENT --regime R --reference REF | cordon clocks close INCIDENT --regime R --not-notifiable --rationale TEXT'));
      return EXIT.ok;
    } finally {
      await records.close();
    }
  },
};
