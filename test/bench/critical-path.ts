import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Incident, Phase } from '../../functions/core/model.js';
import { compileRouter } from '../../functions/core/playbooks/match.js';
import { planSettings } from '../../functions/core/plan/plan.js';
import type { Playbook } from '../../functions/core/playbooks/schema.js';
import { readInputFiles } from '../../functions/engine/inputs.js';
import { planBatch, type PlannedFinding } from '../../functions/engine/planning.js';
import type { ResponderEvent } from '../../functions/engine/responder.js';
import { localExecutor, openLocalRecords, stepCorrelation } from '../../functions/engine/runtime.js';
import { runLocally } from '../../functions/engine/session.js';
import { startSimulatedEstate } from '../../functions/sim/estate.js';
import type { SimCall } from '../../functions/sim/server.js';
import { stepsOf, workflowInput } from '../../workflows/input.js';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { SIM_CREDENTIALS, createAwsClients } from '../../functions/adapters/aws/clients.js';
import { PUBLIC_FIXTURES } from './fixtures.js';
import { atMost, median, progress, round, type TargetCheck } from './stats.js';

/** The EC2 compromise exercised: GuardDuty's SSH brute-force sample as EventBridge delivers it. */
export const EC2_FINDING = join(PUBLIC_FIXTURES, 'guardduty/sample-UnauthorizedAccess.EC2-SSHBruteForce.eventbridge.json');
/**
 * Latency profiles for the estate. `cloud` is the order of magnitude of EC2 control-plane calls
 * from inside a region (hundreds of ms for a mutation, ~100 ms for a Describe) — an assumption
 * stated as such, since no cloud account is reachable here. `stress` is 5× faster than that, to
 * show how the fixed per-call cost (SDK signing and parsing, per-step records) grows in share.
 */
export interface LatencyProfile {
  name: string;
  readMs: number;
  writeMs: number;
}
export const CLOUD_PROFILE: LatencyProfile = { name: 'cloud', readMs: 100, writeMs: 200 };
export const STRESS_PROFILE: LatencyProfile = { name: 'stress', readMs: 20, writeMs: 40 };
const RUNS = 5;

/** Reads cost less than writes in the profile, as they do in the clouds' own latency. */
const isRead = (operation: string): boolean => /[:/](Describe|Get|List|Head)|\/read$/.test(operation);

export interface CriticalPath {
  criticalPathRatio: number;
  workflowMs: number;
  criticalPathMs: number;
  sequential: { ms: number; ratio: number; apiLatencyMs: number; perStepOverheadMs: Record<string, number> };
  breakdown: {
    /** wall = critical-path API latency + step overhead on the critical steps (SDK/HTTP + per-step records) + engine (interpreter, incident records). */
    stepOverheadOnCriticalPathMs: number;
    engineMs: number;
    beforeFirstStepMs: number;
    stepsSpanMs: number;
    afterLastStepMs: number;
    /** Per step: its duration (SDK calls + the step's case-store claim/finish, audit and evidence writes) minus the latency of its calls. */
    perStepOverheadMs: Record<string, number>;
    /** Calls on the critical path, and what one SDK call to the estate costs with no latency injected. */
    criticalPathCalls: number;
    sdkRoundTripMs: number;
    /** How far a 20 ms timer overshoots here (the estate's latency is a timer). */
    timerOvershootMs: number;
  };
  latencyProfile: Record<string, number>;
  method: string;
  target: TargetCheck;
}

interface Run {
  wallMs: number;
  /** The critical path measured in step durations rather than API latency. */
  criticalStepsMs: number;
  criticalMs: number;
  criticalCalls: number;
  beforeFirstStepMs: number;
  stepsSpanMs: number;
  afterLastStepMs: number;
  perStepOverheadMs: Record<string, number>;
}

/** What one SDK round trip to the estate costs, without injected latency: the floor of a step's overhead. */
async function probeRoundTrip(): Promise<number> {
  const estate = await startSimulatedEstate({});
  try {
    const { ec2 } = createAwsClients({ region: 'us-east-1', endpoint: estate.url, credentials: SIM_CREDENTIALS, stepId: 'bench/probe' });
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      await ec2.send(new DescribeInstancesCommand({}));
      if (i >= 10) times.push(performance.now() - t0);
    }
    return median(times);
  } finally {
    await estate.close();
  }
}

async function probeTimerOvershoot(): Promise<number> {
  const over: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, STRESS_PROFILE.readMs));
    over.push(performance.now() - t0 - STRESS_PROFILE.readMs);
  }
  return median(over);
}

function planEc2Incident(playbooks: readonly Playbook[]): PlannedFinding {
  const batch = planBatch(readInputFiles([EC2_FINDING]), compileRouter(playbooks), planSettings({ now: new Date(), mode: 'tabletop' }));
  const planned = batch.planned[0];
  if (!planned || planned.incident.playbook !== 'aws-ec2-compromise' || planned.incident.steps.length === 0) {
    throw new Error(`${EC2_FINDING} no longer plans an aws-ec2-compromise incident with steps`);
  }
  return planned;
}

/** Each step's simulated latency: its calls ran one after another, so their latencies add up. */
function stepLatencies(incident: Incident, calls: readonly SimCall[], latency: Readonly<Record<string, number>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const step of incident.steps) {
    const key = stepCorrelation({ incidentId: incident.id, stepId: step.id });
    out.set(step.id, calls.filter((c) => c.step === key).reduce((sum, c) => sum + (latency[c.operation] ?? 0), 0));
  }
  return out;
}

/**
 * The workflow's shape: contain ‖ preserve (Parallel), then notify. Inside a phase the actions run
 * one after another and each action's targets run side by side (a Map).
 */
function criticalPathMs(incident: Incident, perStep: Map<string, number>): number {
  const phase = (p: Phase): number => {
    const byAction = new Map<string, number>();
    for (const s of incident.steps.filter((x) => x.phase === p)) byAction.set(s.action, Math.max(byAction.get(s.action) ?? 0, perStep.get(s.id) ?? 0));
    return [...byAction.values()].reduce((a, b) => a + b, 0);
  };
  return Math.max(phase('contain'), phase('preserve')) + phase('notify');
}

function medianPerKey(rows: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(rows[0] ?? {})) out[key] = round(median(rows.map((r) => r[key] ?? 0)));
  return out;
}

async function withHome<T>(fn: (home: string) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'cordon-bench-'));
  try {
    return await fn(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function runWorkflowOnce(planned: PlannedFinding, playbooks: readonly Playbook[], latency: Record<string, number>): Promise<Run & { calls: SimCall[] }> {
  return withHome(async (home) => {
    const records = openLocalRecords(home);
    const estate = await startSimulatedEstate({ findings: [planned.incident.finding], latency });
    const started = new Map<string, number>();
    const finished = new Map<string, number>();
    const onEvent = (e: ResponderEvent) => {
      if (e.kind !== 'step') return;
      if (e.event.kind === 'started') started.set(e.event.stepId, performance.now());
      if (e.event.kind === 'finished') finished.set(e.event.stepId, performance.now());
    };
    try {
      const t0 = performance.now();
      const [report] = await runLocally([planned], { mode: 'tabletop', playbooks, records, estate, onEvent });
      const t1 = performance.now();
      const failed = report?.steps.filter((s) => s.status !== 'succeeded') ?? [];
      if (!report || failed.length > 0) throw new Error(`the benchmark incident did not succeed: ${JSON.stringify(failed.map((s) => [s.stepId, s.status, s.reason]))}`);
      const perStep = stepLatencies(planned.incident, estate.server.calls, latency);
      const perStepOverheadMs: Record<string, number> = {};
      for (const [id, ms] of perStep) perStepOverheadMs[id.split(':')[0]!] = round((finished.get(id)! - started.get(id)!) - ms);
      const firstStart = Math.min(...started.values());
      const lastFinish = Math.max(...finished.values());
      return {
        wallMs: t1 - t0,
        criticalStepsMs: criticalPathMs(planned.incident, new Map([...perStep.keys()].map((id) => [id, finished.get(id)! - started.get(id)!]))),
        criticalMs: criticalPathMs(planned.incident, perStep),
        criticalCalls: criticalPathMs(planned.incident, new Map([...perStep.keys()].map((id) => [id, estate.server.calls.filter((c) => c.step === stepCorrelation({ incidentId: planned.incident.id, stepId: id })).length]))),
        beforeFirstStepMs: firstStart - t0,
        stepsSpanMs: lastFinish - firstStart,
        afterLastStepMs: t1 - lastFinish,
        perStepOverheadMs,
        calls: [...estate.server.calls],
      };
    } finally {
      await estate.close();
      await records.close();
    }
  });
}

/** The same steps one after another, through the action executor directly: no workflow, no records. */
async function runSequentialOnce(planned: PlannedFinding, latency: Record<string, number>): Promise<{ ms: number; apiLatencyMs: number; perStepOverheadMs: Record<string, number> }> {
  return withHome(async (home) => {
    const records = openLocalRecords(home);
    const estate = await startSimulatedEstate({ findings: [planned.incident.finding], latency });
    try {
      const execute = localExecutor({ endpoint: estate.url, store: records.store, now: () => new Date() });
      const durations = new Map<string, number>();
      const t0 = performance.now();
      for (const step of stepsOf(workflowInput(planned.incident, 'tabletop'))) {
        const s0 = performance.now();
        const result = await execute(step);
        durations.set(step.stepId, performance.now() - s0);
        if (result.status !== 'succeeded') throw new Error(`sequential baseline: ${step.stepId} ${result.status}`);
      }
      const ms = performance.now() - t0;
      const perStep = stepLatencies(planned.incident, estate.server.calls, latency);
      const perStepOverheadMs: Record<string, number> = {};
      for (const [id, lat] of perStep) perStepOverheadMs[id.split(':')[0]!] = (durations.get(id) ?? 0) - lat;
      return { ms, apiLatencyMs: [...perStep.values()].reduce((a, b) => a + b, 0), perStepOverheadMs };
    } finally {
      await estate.close();
      await records.close();
    }
  });
}

export async function measureCriticalPath(playbooks: readonly Playbook[], profile: LatencyProfile = CLOUD_PROFILE): Promise<CriticalPath> {
  const planned = planEc2Incident(playbooks);
  // Warm-up without latency: builds the interpreter (asl-validator), loads the SDKs, and shows which operations the steps call.
  const warm = await runWorkflowOnce(planned, playbooks, {});
  const latencyProfile: Record<string, number> = {};
  for (const c of warm.calls) latencyProfile[c.operation] = isRead(c.operation) ? profile.readMs : profile.writeMs;
  progress(`critical path (${profile.name}): warm-up ${Math.round(warm.wallMs)} ms; profile ${JSON.stringify(latencyProfile)}`);

  const runs: Run[] = [];
  const sequential: Awaited<ReturnType<typeof runSequentialOnce>>[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so both see the same machine load.
    const run = await runWorkflowOnce(planned, playbooks, latencyProfile);
    const seq = await runSequentialOnce(planned, latencyProfile);
    runs.push(run);
    sequential.push(seq);
    progress(`critical path (${profile.name}) run ${i + 1}: workflow ${Math.round(run.wallMs)} ms over ${run.criticalMs} ms critical path; sequential ${Math.round(seq.ms)} ms over ${seq.apiLatencyMs} ms`);
  }
  const criticalPathMs = median(runs.map((r) => r.criticalMs));
  const workflowMs = median(runs.map((r) => r.wallMs));
  const ratio = round(median(runs.map((r) => r.wallMs / r.criticalMs)), 3);
  const seqMs = median(sequential.map((s) => s.ms));
  const seqLatency = median(sequential.map((s) => s.apiLatencyMs));
  const perStepOverheadMs = medianPerKey(runs.map((r) => r.perStepOverheadMs));
  return {
    criticalPathRatio: ratio,
    workflowMs: round(workflowMs),
    criticalPathMs,
    sequential: { ms: round(seqMs), ratio: round(seqMs / criticalPathMs, 3), apiLatencyMs: seqLatency, perStepOverheadMs: medianPerKey(sequential.map((r) => r.perStepOverheadMs)) },
    breakdown: {
      stepOverheadOnCriticalPathMs: round(median(runs.map((r) => r.criticalStepsMs - r.criticalMs))),
      engineMs: round(median(runs.map((r) => r.wallMs - r.criticalStepsMs))),
      beforeFirstStepMs: round(median(runs.map((r) => r.beforeFirstStepMs))),
      stepsSpanMs: round(median(runs.map((r) => r.stepsSpanMs))),
      afterLastStepMs: round(median(runs.map((r) => r.afterLastStepMs))),
      perStepOverheadMs,
      criticalPathCalls: runs[0]!.criticalCalls,
      sdkRoundTripMs: round(await probeRoundTrip(), 2),
      timerOvershootMs: round(await probeTimerOvershoot(), 2),
    },
    latencyProfile,
    method:
      `runLocally (respond: case store + audit + evidence + the compiled ASL in the embedded interpreter) on ${planned.incident.steps.length} steps ` +
      `(${planned.incident.steps.map((s) => s.action).join(', ')}) of the aws-ec2-compromise incident from ${EC2_FINDING.split('/').pop()}, ` +
      `against the simulated estate with the '${profile.name}' latency profile: ${profile.writeMs} ms per mutating and ${profile.readMs} ms per Describe/Get/List call; fresh estate and CORDON_HOME per run; ` +
      `critical path = max(contain, preserve) + notify, each step = sum of the latencies of the calls the sim logged for it; ` +
      `1 warm-up run (no latency), median of ${RUNS} ratios. Sequential baseline: the same steps through the action executor one after another ` +
      `(no workflow, no records), interleaved with the workflow runs, median of ${RUNS}: its ratio is over the same critical path.`,
    target: atMost(ratio, 1.05, '× critical-path latency'),
  };
}
