import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { IngestedFinding } from '../../core/model.js';
import { planManualRun } from '../../core/plan/manual.js';
import { loadSettings, planSettingsFor } from '../../config/settings.js';
import { plannedCalls } from '../../actions/registry.js';
import { openLocalRecords } from '../../engine/runtime.js';
import { runLocally } from '../../engine/session.js';
import { loadEstateFile, startSimulatedEstate, type SimulatedEstate } from '../../sim/estate.js';
import { workflowInput, stepsOf } from '../../../workflows/input.js';
import { parse, requireString } from '../args.js';
import { bold, dim, yellow } from '../format.js';
import { type Command, EXIT, type Io } from '../io.js';
import { incidentJson } from '../render.js';
import { summaryText, timelineLine } from '../timeline.js';
import { loadPlaybooksFrom } from './shared.js';

export const runCommand: Command = {
  name: 'run',
  help: `Usage: cordon run PLAYBOOK --target ID [--execute [--sim [--estate F]]] [--account A] [--region R] [--json]

Plans PLAYBOOK against one target and prints each API call it would make (the dry run).
With --execute it runs the playbook's workflow in this process against whatever the SDKs are
configured for: your AWS credentials and region (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL …) and,
for Azure, DefaultAzureCredential — or the simulated estate with --sim.

Targets: an EC2 instance id or ARN, an IAM role ARN, an access key id, an S3 bucket name or ARN,
an ARM VM or storage account id, an Entra user object id or UPN.

Options:
  --target ID    the resource to act on (required)
  --execute      act; without it nothing is changed anywhere
  --sim          with --execute: act on the simulated estate (derived from the target, or --estate F)
  --account A    account / subscription of the target when the id does not carry it
  --region R     region of the target when the id does not carry it (default $AWS_REGION)
  --json         print the plan (dry run) or the result as JSON

Examples:
  cordon run aws-ec2-compromise --target arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890
  cordon run aws-s3-data-exposure --target arn:aws:s3:::model-weights --execute --sim

A re-run on the same target is the same incident: steps already done report already-done.
Exit codes: 0 success, 1 a step failed, 2 bad input.`,
  run: runPlaybook,
};

async function runPlaybook(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('run', argv, {
    target: { type: 'string' },
    execute: { type: 'boolean' },
    sim: { type: 'boolean' },
    estate: { type: 'string' },
    account: { type: 'string' },
    region: { type: 'string' },
    json: { type: 'boolean' },
    playbooks: { type: 'string' },
  });
  const [playbookId, ...extra] = positionals;
  if (playbookId === undefined) throw new UsageError("run: name a PLAYBOOK (see 'cordon playbooks list')");
  if (extra.length > 0) throw new UsageError(`run: unexpected argument '${extra[0]}'`);
  const target = requireString('run', 'target', values.target);
  if ((values.sim || values.estate) && !values.execute) throw new UsageError('run: --sim and --estate go with --execute');
  if (values.estate && !values.sim) throw new UsageError('run: --estate needs --sim');

  const settings = loadSettings(io.env, io.cwd);
  const playbooks = loadPlaybooksFrom(values.playbooks, io.cwd);
  const playbook = playbooks.find((p) => p.id === playbookId);
  if (!playbook) throw new UsageError(`run: no playbook '${playbookId}'; playbooks: ${playbooks.map((p) => p.id).join(', ')}`);
  const now = new Date();
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const incident = planManualRun(playbook, target, {
    ...planSettingsFor(settings, { now, mode: 'manual' }),
    ...(values.account ? { account: values.account } : {}),
    ...(region ? { region } : {}),
  });
  if (playbook.cloud === 'aws' && incident.steps.some((s) => s.region === '' && s.target.type !== 'incident')) {
    throw new UsageError(`run: --region is needed: '${target}' does not say its region and AWS_REGION is not set`);
  }

  if (!values.execute) {
    const calls = incident.steps.length > 0 ? stepsOf(workflowInput(incident, 'manual')).map((s) => ({ step: s.stepId, calls: plannedCalls(s) })) : [];
    if (values.json) {
      io.out(JSON.stringify({ dryRun: true, incidents: [incidentJson(incident)], rejected: [], calls }, null, 2));
      return EXIT.ok;
    }
    io.out(`${bold('Dry run')} of ${playbook.id} on ${target} — nothing will change. Incident ${incident.id}.\n`);
    for (const { step, calls: list } of calls) {
      io.out(bold(step));
      for (const c of list) io.out(`  ${c.operation} ${dim(JSON.stringify(c.request))}`);
    }
    for (const s of incident.skipped) io.out(`${yellow('skip')} ${s.action} on ${s.target.id}: ${s.reason} — ${s.detail}`);
    for (const c of incident.clocks) io.out(`clock ${c.regime}: deadline ${c.deadline}`);
    io.out(dim(`\nTo act: cordon run ${playbook.id} --target ${target} --execute${values.region ? ` --region ${values.region}` : ''}   (add --sim for the simulated estate)`));
    return EXIT.ok;
  }

  const home = values.sim ? join(settings.home, 'tabletop', `run-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`) : settings.home;
  mkdirSync(home, { recursive: true });
  const records = openLocalRecords(home);
  let estate: SimulatedEstate | undefined;
  if (values.sim) estate = await startSimulatedEstate({ file: values.estate ? loadEstateFile(resolve(io.cwd, values.estate)) : undefined, findings: [incident.finding] });
  const raw = { manualRun: { playbook: playbook.id, target, by: io.env.USER ?? 'unknown', at: now.toISOString() } };
  const ingested: IngestedFinding = { finding: incident.finding, raw, rawSha256: '', origin: `cordon run${values.sim ? ' --sim' : ''}` };
  const progress = values.json ? undefined : io.out;
  const t0 = Date.now();
  let reports;
  try {
    reports = await runLocally([{ incident, ingested, deliveries: 1 }], {
      mode: 'manual',
      playbooks,
      records,
      ...(estate ? { estate } : {}),
      onEvent: (e) => timelineLine(e, (text) => progress?.(`${dim(`+${((Date.now() - t0) / 1000).toFixed(3)}s`)}  ${text}`)),
    });
  } finally {
    await estate?.close();
    await records.close();
  }
  const failed = reports.some((r) => r.steps.some((s) => s.status === 'failed'));
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          incidents: reports.map((r) => ({
            ...incidentJson(r.incident),
            status: r.status,
            steps: r.steps.map((s) => ({ action: s.action, target: s.target.id, phase: s.phase, status: s.status, ...(s.reason ? { reason: s.reason } : {}), calls: s.calls })),
          })),
          rejected: [],
        },
        null,
        2,
      ),
    );
  } else io.out(`\n${summaryText(reports)}\nRecords: ${home}`);
  return failed ? EXIT.failed : EXIT.ok;
}
