import { writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { stepId } from '../../core/incident-id.js';
import { compileRouter } from '../../core/playbooks/match.js';
import { loadSettings, operatorPath, planSettingsFor } from '../../config/settings.js';
import { readInputFiles } from '../../engine/inputs.js';
import { planBatch } from '../../engine/planning.js';
import { buildReportModel } from '../../engine/report-model.js';
import type { IncidentReport } from '../../engine/responder.js';
import { exerciseHome, openLocalRecords } from '../../engine/runtime.js';
import { runLocally } from '../../engine/session.js';
import { storeApprover } from '../../engine/approvals.js';
import { loadScenario } from '../../engine/scenarios.js';
import { FaultSpecError, parseFaultSpec } from '../../sim/faults.js';
import { loadEstateFile, startSimulatedEstate, type EstateFile } from '../../sim/estate.js';
import { renderReport } from '../../report/render.js';
import { parse, positiveNumber } from '../args.js';
import { bold, dim, red, yellow } from '../format.js';
import { followClocks } from '../../engine/clock-watch.js';
import { summaryText, timelineLine } from '../timeline.js';
import { type Command, EXIT, type Io } from '../io.js';
import { incidentJson, type PlanJsonIncident } from '../render.js';
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
                    'cordon reject' from another terminal
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
  incidents: (PlanJsonIncident & { status: string; steps: (PlanJsonIncident['steps'][number] & { status: string; reason?: string; calls: string[] })[] })[];
  rejected: { file: string; reason: string }[];
  audit: { records: number; head: string; file: string };
  report: { markdown: string; html: string };
}

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
  const approvals = values.approvals ?? 'approve';
  if (!['approve', 'reject', 'timeout', 'person'].includes(approvals)) throw new UsageError(`tabletop: --approvals must be approve, reject, timeout or person, got '${approvals}'`);
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
  const estateFile: EstateFile | undefined = estatePath === undefined ? undefined : loadEstateFile(estatePath);
  const reportPath = values.report === undefined ? undefined : operatorPath('tabletop', '--report', values.report, io.cwd);
  if (reportPath !== undefined && !['.md', '.html'].includes(extname(reportPath))) throw new UsageError(`tabletop: --report must end in .md or .html, got '${values.report}'`);

  const settings = loadSettings(io.env, io.cwd);
  const playbooks = loadPlaybooksFrom(values.playbooks, io.cwd);
  const startedAt = new Date();
  const batch = planBatch(
    readInputFiles(files),
    compileRouter(playbooks),
    planSettingsFor(settings, { now: startedAt, mode: 'tabletop' }),
  );
  if (batch.rejected.length > 0) {
    // Bad input: say what and where, and act on nothing.
    for (const r of batch.rejected) io.err(`cordon: ${r.file}: ${r.reason}`);
    return EXIT.badInput;
  }

  const runDir = exerciseHome(settings.home, startedAt);
  const records = openLocalRecords(runDir);
  const estate = await startSimulatedEstate({ file: estateFile, findings: batch.planned.map((p) => p.incident.finding), faults });
  const progress = values.json ? (io.interactive ? io.err : undefined) : io.out;
  const t0 = Date.now();
  const line = (text: string) => progress?.(`${dim(`+${((Date.now() - t0) / 1000).toFixed(3)}s`)}  ${text}`);
  progress?.(bold(`Tabletop: ${batch.planned.length} finding(s) from ${files.length} file(s) on the simulated estate (${estate.url}), speed ×${speed}${faults.length ? `, faults ${values.faults}` : ''}`));

  let reports: IncidentReport[];
  try {
    reports = await runLocally(batch.planned, {
      mode: 'tabletop',
      playbooks,
      records,
      estate,
      speed,
      approve:
        approvals === 'person'
          ? storeApprover(records.store, records.audit, {
              onWaiting: (req) => (progress ?? io.err)(`awaiting approval of ${req.action} on ${req.target.id} — in another terminal: CORDON_HOME=${runDir} cordon approve ${req.incidentId}   (or: cordon reject ${req.incidentId} --reason …)`),
            })
          : async () => (approvals === 'approve' ? 'approved' : approvals === 'reject' ? { rejected: 'rejected by the tabletop approver' } : 'timeout'),
      onEvent: (e) => timelineLine(e, line),
    });
  } finally {
    await estate.close();
  }
  if (values['follow-clocks'] || scenario?.followClocks) {
    const { speed: clockSpeed } = await followClocks({
      store: records.store,
      audit: records.audit,
      reminderOffsetsMs: settings.reminderOffsetsMs,
      onEvent: (e) => line(`${e.incident}  clock    ${e.kind === 'overdue' ? red('overdue ') : yellow('reminder')} ${e.text}  ${dim(`[exercise time ${e.exerciseAt}]`)}`),
    });
    line(dim(`clocks followed to their deadlines, time compressed ×${Math.round(clockSpeed)}`));
  }

  const head = records.audit.head();
  const finishedAt = new Date();
  const model = await buildReportModel(
    {
      mode: 'tabletop',
      speed,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      estate: estatePath ? basename(estatePath) : 'derived from the findings',
      inputs: files.map((f) => basename(f)),
      ...(values.faults ? { faults: values.faults } : {}),
    },
    reports,
    { ...records, audit: { records: head.records, head: head.hash } },
    finishedAt.toISOString(),
  );
  await records.close();
  const rendered = renderReport(model);
  const reportFiles = { markdown: join(runDir, 'report.md'), html: join(runDir, 'report.html') };
  writeFileSync(reportFiles.markdown, rendered.markdown);
  writeFileSync(reportFiles.html, rendered.html);
  if (reportPath !== undefined) writeFileSync(reportPath, extname(reportPath) === '.html' ? rendered.html : rendered.markdown);

  const failed = reports.some((r) => r.steps.some((s) => s.status === 'failed'));
  if (values.json) {
    const doc: TabletopJson = {
      incidents: reports.map((r) => ({
        ...incidentJson(r.incident),
        status: r.status,
        steps: r.steps
          .filter((s) => !r.incident.skipped.some((k) => stepId(k.action, k.target) === s.stepId))
          .map((s) => ({ action: s.action, target: s.target.id, phase: s.phase, status: s.status, ...(s.reason !== undefined ? { reason: s.reason } : {}), ...(s.errorClass !== undefined ? { errorClass: s.errorClass } : {}), calls: s.calls })),
      })),
      rejected: [],
      audit: { records: head.records, head: head.hash, file: records.audit.path },
      report: reportFiles,
    };
    io.out(JSON.stringify(doc, null, 2));
  } else {
    io.out('');
    io.out(summaryText(reports));
    io.out(`\nReport:    ${reportFiles.html}\n           ${reportFiles.markdown}${reportPath ? `\n           ${reportPath}` : ''}`);
    io.out(`Audit log: ${records.audit.path} (${head.records} records, head ${head.hash.slice(0, 16)}…)  verify: cordon audit verify ${records.audit.path}`);
  }
  return failed ? EXIT.failed : EXIT.ok;
}
