import { compileRouter } from '../../core/playbooks/match.js';
import { loadSettings, planSettingsFor } from '../../config/settings.js';
import { readInputFiles } from '../../engine/inputs.js';
import { planBatch } from '../../engine/planning.js';
import { isoDate, parse } from '../args.js';
import { type Command, EXIT } from '../io.js';
import { planDocument, planText } from '../render.js';
import { loadPlaybooksFrom } from './shared.js';

const awareAt = (value: string | undefined) => {
  const at = isoDate('plan', 'aware-at', value);
  return at ? { awareAt: at } : {};
};

export const planCommand: Command = {
  name: 'plan',
  help: `Usage: cordon plan FILE... [--json] [--mode automatic|manual|tabletop] [--aware-at ISO] [--playbooks DIR]

Reads GuardDuty, Security Hub (ASFF) and Defender for Cloud / Microsoft Graph events from FILEs,
matches each finding to a playbook and prints what Cordon would do: the steps, the steps it
would skip and why (exempt tag, blast radius, sample finding), and the regulatory clocks.
Nothing is changed anywhere.

Options:
  --json            print the plan as one JSON document (DESIGN.md §3)
  --mode M          plan as automatic mode would (default), or as manual / tabletop;
                    automatic mode never acts on sample findings
  --aware-at ISO    when the organisation became aware (default: now); clocks run from it
  --playbooks DIR   playbook directory (default: the bundled playbooks/)

Examples:
  cordon plan finding.json
  cordon plan --json exports/*.json | jq '.incidents[] | {id, playbook}'

Exit codes: 0 all inputs planned, 2 an input was rejected (the others are still planned).`,
  async run(argv, io) {
    const { values, positionals } = parse('plan', argv, {
      json: { type: 'boolean' },
      mode: { type: 'string' },
      'aware-at': { type: 'string' },
      playbooks: { type: 'string' },
    });
    if (positionals.length === 0) {
      io.err("cordon: plan: give at least one event FILE (see 'cordon plan --help')");
      return EXIT.badInput;
    }
    const mode = values.mode ?? 'automatic';
    if (mode !== 'automatic' && mode !== 'manual' && mode !== 'tabletop') {
      io.err(`cordon: plan: --mode must be automatic, manual or tabletop, got '${mode}'`);
      return EXIT.badInput;
    }
    const settings = loadSettings(io.env, io.cwd);
    const playbooks = loadPlaybooksFrom(values.playbooks, io.cwd);
    const now = new Date();
    const batch = planBatch(
      readInputFiles(positionals),
      compileRouter(playbooks),
      planSettingsFor(settings, { now, mode, ...awareAt(values['aware-at']) }),
    );
    for (const r of batch.rejected) io.err(`cordon: ${r.file}: ${r.reason}`);
    const incidents = batch.planned.map((p) => p.incident);
    if (!values.json) {
      for (const v of batch.validations) io.err(`cordon: ${v.origin}: Event Grid subscription validation event (answered by the ingest function, not a finding)`);
      for (const g of batch.graphAlertRefs) io.err(`cordon: ${g.origin}: Graph alert notification for ${g.alertId} (the ingest function fetches the alert from Microsoft Graph; plan the alert JSON itself to see its steps)`);
    }
    // --json always prints its one document (DESIGN §3), also when every input was rejected.
    if (values.json || incidents.length > 0 || batch.rejected.length === 0) {
      io.out(values.json ? JSON.stringify(planDocument(incidents, batch.rejected), null, 2) : planText(incidents, batch.rejected));
    }
    return batch.rejected.length > 0 ? EXIT.badInput : EXIT.ok;
  },
};
