import { resolve } from 'node:path';
import { STATE_MACHINES_PROBLEM, parseStateMachineMap } from '../../core/env.js';
import { InputError, UsageError } from '../../core/errors.js';
import type { Incident } from '../../core/model.js';
import { loadSettings } from '../../config/settings.js';
import { planManual, runManual } from '../../engine/manual-run.js';
import { loadEstateFile } from '../../sim/estate.js';
import { workflowInput } from '../../../workflows/input.js';
import { SIM_DEFAULT_REGION } from '../../sim/aws/index.js';
import { parse, requireString } from '../args.js';
import { bold, dim, yellow } from '../format.js';
import { type Command, EXIT, type Io } from '../io.js';
import { incidentJson } from '../render.js';
import { summaryText, timelineLine } from '../timeline.js';
import { loadPlaybooksFrom } from './shared.js';

export const runCommand: Command = {
  name: 'run',
  help: `Usage: cordon run PLAYBOOK --target ID [--execute [--sim [--estate F] | --cloud [--state-machine ARN]]]
                  [--account A] [--region R] [--json]

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
  --cloud        with --execute: start the deployed state machine (AWS Step Functions) and follow
                 it, printing each state as it finishes; its ARN comes from --state-machine or
                 from CORDON_STATE_MACHINES (the JSON map playbook id → ARN the stack outputs)
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

/** Parse → call the manual run (engine/manual-run.ts) → render. */
async function runPlaybook(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('run', argv, {
    target: { type: 'string' },
    execute: { type: 'boolean' },
    sim: { type: 'boolean' },
    cloud: { type: 'boolean' },
    'state-machine': { type: 'string' },
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
  if (values.cloud && (!values.execute || values.sim)) throw new UsageError('run: --cloud goes with --execute (and not with --sim)');

  const settings = loadSettings(io.env, io.cwd);
  const playbooks = loadPlaybooksFrom(values.playbooks, io.cwd);
  const playbook = playbooks.find((p) => p.id === playbookId);
  if (!playbook) throw new UsageError(`run: no playbook '${playbookId}'; playbooks: ${playbooks.map((p) => p.id).join(', ')}`);
  const now = new Date();
  // The simulated estate needs no real region: without one it uses its own default.
  const region = values.region || io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || (values.sim ? SIM_DEFAULT_REGION : undefined);
  // On the simulated estate a target without an account (a bucket name) is in the estate's own account.
  const account = values.account ?? (values.sim ? '123456789012' : undefined);
  const request = { playbook, target, settings, ...(account ? { account } : {}), ...(region ? { region } : {}), now: () => now };
  const { incident, calls } = planManual(request);
  const real = values.execute && !values.sim && !values.cloud;
  const configured = playbook.cloud === 'aws' ? settings.trust.allowedAccounts : (settings.trust.allowedSubscriptions ?? settings.trust.allowedTenants);
  // A real account with no allowed list is a usage error (DESIGN.md §4): this process cannot see the
  // organization, and acting wherever the credentials reach is exactly what the list prevents.
  if (real && playbook.cloud === 'aws' && region === undefined) throw new UsageError(`run: --region is needed: '${target}' does not say its region; pass --region or set AWS_REGION`);
  if (real && configured === undefined) {
    throw new UsageError(`run: --execute acts in a real ${playbook.cloud === 'aws' ? 'account: set CORDON_ACCOUNTS' : 'subscription: set CORDON_SUBSCRIPTIONS (or CORDON_TENANTS)'} to where Cordon may act, or use --sim`);
  }

  if (!values.execute) {
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

  if (values.cloud) return runInCloud(io, incident, playbook.id, values['state-machine'], region, values.json === true);

  const progress = values.json ? undefined : io.out;
  const t0 = Date.now();
  const { home, reports, failed } = await runManual(
    {
      ...request,
      playbooks,
      by: io.env.USER ?? 'unknown',
      ...(values.sim ? { sim: values.estate ? { estate: loadEstateFile(resolve(io.cwd, values.estate)) } : {} } : {}),
    },
    (e) => timelineLine(e, (text) => progress?.(`${dim(`+${((Date.now() - t0) / 1000).toFixed(3)}s`)}  ${text}`)),
  );
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

/** `--execute --cloud`: the deployed state machine runs the workflow; this follows it to the end. */
async function runInCloud(io: Io, incident: Incident, playbookId: string, explicitArn: string | undefined, region: string | undefined, json: boolean): Promise<number> {
  let arn = explicitArn;
  if (arn === undefined) {
    const text = io.env.CORDON_STATE_MACHINES;
    if (text) {
      const map = parseStateMachineMap(text);
      if (map === undefined) throw new InputError('environment', 'CORDON_STATE_MACHINES', STATE_MACHINES_PROBLEM);
      arn = map[playbookId];
    }
  }
  if (!arn || !/^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[\w-]+$/.test(arn)) {
    throw new UsageError(`run: --cloud needs the state machine of ${playbookId}: --state-machine ARN, or CORDON_STATE_MACHINES${arn ? ` (got '${arn}')` : ''}`);
  }
  const { SFNClient } = await import('@aws-sdk/client-sfn');
  const { startAndFollow } = await import('../../engine/cloud-run.js');
  // The state machine's own region: that is where it runs, whatever the target's region.
  const sfn = new SFNClient({ region: arn.split(':')[3] ?? region });
  if (!json) io.out(`${bold('Starting')} ${arn} as ${incident.id} …`);
  const result = await startAndFollow({
    sfn,
    stateMachineArn: arn,
    input: workflowInput(incident, 'manual'),
    name: incident.id,
    onState: (e) => {
      if (!json) io.out(`${dim(e.at)}  ${e.state}  ${e.outcome === 'failed' ? `failed: ${e.error ?? ''} ${e.cause ?? ''}` : 'done'}`);
    },
  });
  const output = result.output as { escalated?: boolean } | undefined;
  if (json) io.out(JSON.stringify(result, null, 2));
  else io.out(`\n${result.existing ? 'Followed the existing execution' : 'Execution'} ${result.executionArn}: ${result.status}${output?.escalated ? ' — escalated (a step failed)' : ''}`);
  return result.status === 'SUCCEEDED' && !output?.escalated ? EXIT.ok : EXIT.failed;
}
