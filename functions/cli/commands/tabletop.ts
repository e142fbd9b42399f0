import { writeFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { stepId } from '../../core/incident-id.js';
import { loadSettings, operatorPath } from '../../config/settings.js';
import { runExercise, type ExerciseApprovals, type ExerciseEvent } from '../../engine/exercise.js';
import type { EvidenceAtRisk, Eviction } from '../../core/verdict.js';
import { loadScenario } from '../../engine/scenarios.js';
import { FaultSpecError, parseFaultSpec } from '../../sim/faults.js';
import { loadEstateFile } from '../../sim/estate.js';
import { parse, positiveNumber } from '../args.js';
import { bold, dim, red, yellow } from '../format.js';
import { summaryText, timelineLine } from '../timeline.js';
import { type Command, EXIT, type Io } from '../io.js';
import { evidenceJson, incidentJson, type EvidenceJson, type PlanJsonIncident } from '../render.js';
import { loadPlaybooksFrom } from './shared.js';

export const DEFAULT_SPEED = 600;

export const tabletopCommand: Command = {
  name: 'tabletop',
  help: `Usage: cordon tabletop FILE... [--scenario NAME] [--estate F] [--speed N] [--faults SPEC]
                       [--approvals approve|reject|timeout] [--report F] [--json]

Runs each finding's playbook workflow (the same ASL Step Functions runs) against the simulated
estate: a loopback endpoint that speaks the EC2, IAM, S3, Security Hub, Azure Resource Manager and
Microsoft Graph wire protocols, reached through the real AWS and Azure SDK clients. No cloud account
is touched. Sample findings act here (they never do in automatic mode).

Options:
  --scenario NAME   a bundled exercise (findings + estate); 'default' is what 'npm start' runs
  --estate F        estate YAML: instances, volumes, roles, buckets, VMs, storage accounts, users …
                    (resources named by the findings are derived when the file does not list them)
  --speed N         time compression for waits and retry pauses (default ${DEFAULT_SPEED}: ten minutes a second)
  --faults SPEC     inject faults: operation=kind[:n],…  kind throttle | error | latency:MS | accessDenied;
                    e.g. ec2:ModifyInstanceAttribute=throttle:3,ec2:CreateSnapshots=error
  --approvals A     how steps that need approval (tag cordon:approval=required) are answered:
                    approve (default), reject, timeout, or person — wait for 'cordon approve' /
                    'cordon reject' from another terminal. Only a person approves the steps of a
                    finding from an untrusted producer; otherwise they are skipped (untrusted)
  --follow-clocks   after the incidents, follow their regulatory clocks to the deadlines (compressed
                    into about a second): reminders, and deadlines passed with no notification
  --report F        also write the report to F (.md for Markdown, .html for HTML)
  --json            print the result as one JSON document (the plan JSON plus each step's status,
                    reason and calls, and the audit head)

State for the exercise (case store, audit log, evidence, report) goes to
$CORDON_HOME/tabletop/<run>/, never mixed with real incidents.

Examples:
  cordon tabletop --scenario default
  cordon tabletop finding.json --faults ec2:CreateSnapshots=error --json

Exit codes: 0 all steps succeeded or were skipped, 1 a step failed (the incident escalated), 2 bad input.`,
  run: tabletop,
};

interface TabletopJson {
  incidents: (PlanJsonIncident & {
    status: string;
    escalated: boolean;
    eviction?: Eviction;
    evidenceAtRisk?: EvidenceAtRisk[];
    evidence: EvidenceJson[];
    steps: (PlanJsonIncident['steps'][number] & { status: string; reason?: string; calls: string[] })[];
  })[];
  rejected: { file: string; reason: string }[];
  audit: { records: number; head: string; file: string; keyId: string };
  estate: string;
  report: { markdown: string; html: string };
}

const APPROVALS: readonly ExerciseApprovals[] = ['approve', 'reject', 'timeout', 'person'];

/** Parse → call the exercise (engine/exercise.ts) → render. */
async function tabletop(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('tabletop', argv, {
    json: { type: 'boolean' },
    scenario: { type: 'string' },
    estate: { type: 'string' },
    speed: { type: 'string' },
    faults: { type: 'string' },
    approvals: { type: 'string' },
    report: { type: 'string' },
    playbooks: { type: 'string' },
    'follow-clocks': { type: 'boolean' },
  });
  const speed = positiveNumber('tabletop', 'speed', values.speed, DEFAULT_SPEED);
  const approvals = (values.approvals ?? 'approve') as ExerciseApprovals;
  if (!APPROVALS.includes(approvals)) throw new UsageError(`tabletop: --approvals must be approve, reject, timeout or person, got '${approvals}'`);
  let faults;
  try {
    faults = parseFaultSpec(values.faults ?? '');
  } catch (e) {
    if (e instanceof FaultSpecError) throw new UsageError(`tabletop: --faults: ${e.message}`);
    throw e;
  }
  const scenario = values.scenario === undefined ? undefined : loadScenario(values.scenario);
  const files = [...(scenario?.findings ?? []), ...positionals.map((p) => resolve(io.cwd, p))];
  if (files.length === 0) throw new UsageError("tabletop: give event FILEs or --scenario NAME (see 'cordon tabletop --help')");
  const estatePath = values.estate !== undefined ? resolve(io.cwd, values.estate) : scenario?.estate;
  const estate = estatePath === undefined ? undefined : { file: loadEstateFile(estatePath), name: basename(estatePath) };
  const reportPath = values.report === undefined ? undefined : operatorPath('tabletop', '--report', values.report, io.cwd);
  if (reportPath !== undefined && !['.md', '.html'].includes(extname(reportPath))) throw new UsageError(`tabletop: --report must end in .md or .html, got '${values.report}'`);

  const settings = loadSettings(io.env, io.cwd);
  const playbooks = loadPlaybooksFrom(values.playbooks, io.cwd);
  const progress = values.json ? (io.interactive ? io.err : undefined) : io.out;
  let t0 = Date.now();
  const line = (text: string) => progress?.(`${dim(`+${((Date.now() - t0) / 1000).toFixed(3)}s`)}  ${text}`);
  const render = (e: ExerciseEvent): void => {
    switch (e.kind) {
      case 'started':
        t0 = Date.now();
        progress?.(bold(`Tabletop: ${e.findings} finding(s) from ${e.files} file(s) on the simulated estate (${e.estateUrl}), speed ×${speed}${faults.length ? `, faults ${values.faults}` : ''}`));
        return;
      case 'responder':
        timelineLine(e.event, line);
        return;
      case 'awaiting-approval': {
        const req = e.request;
        (progress ?? io.err)(`awaiting approval of ${req.action} on ${req.target.id} — in another terminal: CORDON_HOME=${e.runDir} cordon approve ${req.incidentId}   (or: cordon reject ${req.incidentId} --reason …)`);
        return;
      }
      case 'clock':
        line(`${e.event.incident}  clock    ${e.event.kind === 'overdue' ? red('overdue ') : yellow('reminder')} ${e.event.text}  ${dim(`[exercise time ${e.event.exerciseAt}]`)}`);
        return;
      case 'clocks-followed':
        line(dim(`clocks followed to their deadlines, time compressed ×${Math.round(e.speed)}`));
        return;
      case 'aborted-run-found':
        io.err(`${yellow('note')} exercise ${basename(e.run.home)} (pid ${e.run.pid}) was aborted; recorded in its audit log and in this one`);
        return;
    }
  };

  const outcome = await runExercise(
    {
      files,
      settings,
      playbooks,
      ...(estate ? { estate } : {}),
      faults,
      ...(values.faults ? { faultSpec: values.faults } : {}),
      speed,
      approvals,
      followClocks: Boolean(values['follow-clocks'] || scenario?.followClocks),
    },
    render,
  );
  if (outcome.kind === 'rejected') {
    // Bad input: say what and where, and act on nothing.
    for (const r of outcome.rejected) io.err(`cordon: ${r.file}: ${r.reason}`);
    return EXIT.badInput;
  }
  const { reports, audit, report } = outcome;
  if (reportPath !== undefined) writeFileSync(reportPath, extname(reportPath) === '.html' ? report.html : report.markdown);

  if (values.json) {
    const doc: TabletopJson = {
      incidents: reports.map((r) => ({
        ...incidentJson(r.incident),
        status: r.status,
        escalated: r.escalated,
        ...(r.eviction ? { eviction: r.eviction } : {}),
        ...(r.evidenceAtRisk ? { evidenceAtRisk: r.evidenceAtRisk } : {}),
        evidence: (r.evidence ?? []).map(evidenceJson),
        steps: r.steps
          .filter((s) => !r.incident.skipped.some((k) => stepId(k.action, k.target) === s.stepId))
          .map((s) => ({ action: s.action, target: s.target.id, phase: s.phase, status: s.status, ...(s.reason !== undefined ? { reason: s.reason } : {}), ...(s.errorClass !== undefined ? { errorClass: s.errorClass } : {}), calls: s.calls })),
      })),
      rejected: [],
      audit: { records: audit.records, head: audit.hash, file: audit.path, keyId: audit.keyId },
      estate: outcome.estate,
      report: report.files,
    };
    io.out(JSON.stringify(doc, null, 2));
  } else {
    io.out('');
    io.out(summaryText(reports));
    io.out(`\nReport:    ${report.files.html}\n           ${report.files.markdown}${reportPath ? `\n           ${reportPath}` : ''}`);
    io.out(`Estate:    ${outcome.estate}  (continue on it: CORDON_HOME=${outcome.runDir} cordon release INCIDENT --sim)`);
    io.out(`Audit log: ${audit.path} (${audit.records} records, signed by ${audit.keyId})`);
    io.out(`Head:      ${audit.hash}   (keep it outside this host; verify: cordon audit verify ${audit.path} --head ${audit.hash})`);
  }
  return outcome.failed ? EXIT.failed : EXIT.ok;
}
