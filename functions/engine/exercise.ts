import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { compileRouter } from '../core/playbooks/match.js';
import type { Playbook } from '../core/playbooks/schema.js';
import { planSettingsFor, type Settings } from '../config/settings.js';
import type { FaultRule } from '../sim/faults.js';
import { ESTATE_JSON, estateScope, saveEstate, startSimulatedEstate, type EstateFile } from '../sim/estate.js';
import { renderReport } from '../report/render.js';
import type { AuditHead } from '../records/audit-log.js';
import { writePrivateFile } from '../records/private-fs.js';
import { beginRun, recordAbortedRuns, type AbortedRun } from '../records/run-marker.js';
import type { ApprovalRequest } from '../../workflows/runner.js';
import { storeApprover } from './approvals.js';
import { followClocks, type ClockWatchEvent } from './clock-watch.js';
import { readInputFiles } from './inputs.js';
import { planBatch, type PlanBatch } from './planning.js';
import { buildReportModel } from './report-model.js';
import type { IncidentReport, ResponderEvent } from './responder.js';
import { exerciseHome, openLocalRecords } from './runtime.js';
import { pauseReason } from '../records/case-store.js';
import { runLocally } from './session.js';
import type { UseCase } from './use-case.js';

/** How steps that need approval are answered in an exercise; `person` waits for `cordon approve` / `cordon reject`. */
export type ExerciseApprovals = 'approve' | 'reject' | 'timeout' | 'person';

export interface ExerciseOptions {
  /** Event files, read and planned as one batch. */
  files: readonly string[];
  settings: Settings;
  playbooks: readonly Playbook[];
  /** The estate file, and the name the report gives it; absent = derived from the findings. */
  estate?: { file: EstateFile; name: string };
  faults: readonly FaultRule[];
  /** The fault spec as given, for the report. */
  faultSpec?: string;
  speed: number;
  approvals: ExerciseApprovals;
  /** After the incidents, follow their clocks to the deadlines (compressed). */
  followClocks: boolean;
  now?: () => Date;
}

export type ExerciseEvent =
  | { kind: 'started'; findings: number; files: number; estateUrl: string }
  | { kind: 'responder'; event: ResponderEvent }
  | { kind: 'awaiting-approval'; request: ApprovalRequest; runDir: string }
  | { kind: 'clock'; event: ClockWatchEvent }
  | { kind: 'clocks-followed'; speed: number }
  | { kind: 'aborted-run-found'; run: AbortedRun };

export type ExerciseOutcome =
  /** Bad input: nothing ran, nothing was written. */
  | { kind: 'rejected'; rejected: PlanBatch['rejected'] }
  | {
      kind: 'ran';
      /** `$CORDON_HOME/tabletop/<run>/`: case store, audit log, evidence, report. */
      runDir: string;
      /** The estate's final state (`estate.json` in the run directory, the `--estate` schema). */
      estate: string;
      reports: IncidentReport[];
      audit: AuditHead & { path: string; keyId: string };
      report: { markdown: string; html: string; files: { markdown: string; html: string } };
      /** A step failed (an incident escalated). */
      failed: boolean;
    };

/**
 * The tabletop exercise: plan the findings in tabletop mode, run their workflows against the
 * simulated estate in a fresh run directory of their own (never mixed with real incidents),
 * optionally follow the clocks, and write the after-action report beside the records.
 */
export const runExercise: UseCase<ExerciseOptions, ExerciseEvent, ExerciseOutcome> = async (options, observe) => {
  const now = options.now ?? (() => new Date());
  const { settings, playbooks, speed } = options;
  const startedAt = now();
  // The kill switch of $CORDON_HOME holds for exercises too: while paused, nothing acts (DESIGN.md §4).
  const home = openLocalRecords(settings.home);
  const pause = await home.store.getPause().finally(() => home.close());
  const batch = planBatch(
    readInputFiles(options.files),
    compileRouter(playbooks),
    // The automatic approver answers tag and playbook approvals only: an untrusted finding's steps wait for a person, or are skipped.
    {
      ...planSettingsFor(settings, { now: startedAt, mode: 'tabletop' }),
      untrusted: options.approvals === 'person' ? 'await-person' : 'skip',
      ...(pause.paused ? { paused: { reason: pauseReason(pause) } } : {}),
    },
    { exerciseScope: estateScope(options.estate?.file) },
  );
  if (batch.rejected.length > 0) return { kind: 'rejected', rejected: batch.rejected };

  const runDir = exerciseHome(settings.home, startedAt);
  const records = openLocalRecords(runDir);
  // Marks the run as under way; a run killed before the end leaves the marker, and the next
  // exercise records it in the aborted run's chain and in its own.
  const marker = beginRun(runDir, startedAt);
  const parent = dirname(runDir);
  const siblings = readdirSync(parent).map((d) => join(parent, d)).filter((d) => d !== runDir);
  for (const run of await recordAbortedRuns(siblings, records.audit)) observe?.({ kind: 'aborted-run-found', run });
  const estate = await startSimulatedEstate({ file: options.estate?.file, findings: batch.planned.map((p) => p.incident.finding), faults: [...options.faults] });
  observe?.({ kind: 'started', findings: batch.planned.length, files: options.files.length, estateUrl: estate.url });

  const approvals = options.approvals;
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
          ? storeApprover(records.store, records.audit, { onWaiting: (request) => observe?.({ kind: 'awaiting-approval', request, runDir }) })
          : async () => (approvals === 'approve' ? 'approved' : approvals === 'reject' ? { rejected: 'rejected by the tabletop approver' } : 'timeout'),
      onEvent: (event) => observe?.({ kind: 'responder', event }),
    });
  } finally {
    await estate.close();
  }
  // The final state, so `CORDON_HOME=<run dir> cordon release|run|plan --live … --sim` continue from it.
  const estateJson = saveEstate(estate, join(runDir, ESTATE_JSON));
  if (options.followClocks) {
    const { speed: clockSpeed } = await followClocks({
      store: records.store,
      audit: records.audit,
      reminderOffsetsMs: settings.reminderOffsetsMs,
      onEvent: (event) => observe?.({ kind: 'clock', event }),
    });
    observe?.({ kind: 'clocks-followed', speed: clockSpeed });
  }

  const head = records.audit.head();
  const finishedAt = now();
  const model = await buildReportModel(
    {
      mode: 'tabletop',
      speed,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      estate: options.estate ? options.estate.name : 'derived from the findings',
      inputs: options.files.map((f) => basename(f)),
      ...(options.faultSpec ? { faults: options.faultSpec } : {}),
    },
    reports,
    { ...records, audit: { records: head.records, head: head.hash } },
    finishedAt.toISOString(),
  );
  await records.close();
  marker.end();
  const rendered = renderReport(model);
  const files = { markdown: join(runDir, 'report.md'), html: join(runDir, 'report.html') };
  writePrivateFile(files.markdown, rendered.markdown);
  writePrivateFile(files.html, rendered.html);
  return {
    kind: 'ran',
    runDir,
    estate: estateJson,
    reports,
    audit: { ...head, path: records.audit.path, keyId: records.audit.keyId },
    report: { ...rendered, files },
    failed: reports.some((r) => r.steps.some((s) => s.status === 'failed')),
  };
};
