import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallScheduler, type CallClass } from '../../functions/adapters/aws/call-scheduler.js';
import { compileRouter } from '../../functions/core/playbooks/match.js';
import type { Playbook } from '../../functions/core/playbooks/schema.js';
import { planSettings } from '../../functions/core/plan/plan.js';
import { tokenBucketLowerBoundMs, type BucketSpec } from '../../functions/core/rate-limits.js';
import { ISOLATION_GROUP_NAME } from '../../functions/actions/aws/quarantine-instance.js';
import { planBatch } from '../../functions/engine/planning.js';
import { openLocalRecords } from '../../functions/engine/runtime.js';
import { runLocally } from '../../functions/engine/session.js';
import { startSimulatedEstate, type SimulatedEstate } from '../../functions/sim/estate.js';
import { CLOUD_PROFILE, EC2_FINDING } from './critical-path.js';
import { atMost, median, progress, round, type TargetCheck } from './stats.js';

/**
 * DESIGN.md §6 `rateLimitedStorm`: a hundred compromised hosts in one account, all responded to
 * at once by the local engine, against the estate with EC2's documented per-API token buckets
 * and the `cloud` latency profile, in real time (buckets refill in real seconds).
 */
export const STORM_HOSTS = 100;
/** Reads cost the profile's read latency, everything else its write latency. */
const STORM_LATENCY: Record<string, number> = {
  '*': CLOUD_PROFILE.writeMs,
  ...Object.fromEntries(['DescribeInstances', 'DescribeInstanceAttribute', 'DescribeSecurityGroups', 'DescribeSnapshots', 'DescribeVolumes'].map((a) => [`ec2:${a}`, CLOUD_PROFILE.readMs])),
  'securityhub:GetFindings': CLOUD_PROFILE.readMs,
};
const POLL_MS = 10;

interface StormRun {
  /** ms from the start until each host held only the isolation group (undefined: never). */
  isolatedAt: (number | undefined)[];
  throttled: number;
  droppedSteps: number;
  /** Footholds the estate's attacker model still judges open after the run, over all incidents. */
  footholdsOpen: number;
  calls: Record<string, number>;
  isolationCalls: Record<string, number>;
  wallMs: number;
}

export interface RateLimitedStorm {
  incidents: number;
  p50Ms: number;
  p99Ms: number;
  lastMs: number | null;
  lowerBoundMs: number;
  ratio: number | null;
  throttled: number;
  droppedSteps: number;
  footholdsOpen: number;
  hostsNotIsolated: number;
  isolationCalls: Record<string, number>;
  calls: Record<string, number>;
  profile: Record<string, BucketSpec>;
  wallMs: number;
  unscheduled: { lastMs: number | null; throttled: number; droppedSteps: number; footholdsOpen: number; hostsNotIsolated: number; p50Ms: number | null; wallMs: number };
  method: string;
  target: TargetCheck;
}

/** The EC2 sample finding, once per host: its own instance id and finding id, same account, region and VPC. */
function stormInputs(): { origin: string; text: string }[] {
  const text = readFileSync(EC2_FINDING, 'utf8');
  return Array.from({ length: STORM_HOSTS }, (_, n) => {
    const event = JSON.parse(text) as { id: string; detail: { id: string; resource: { instanceDetails: { instanceId: string } } } };
    const suffix = (n + 1).toString(16).padStart(4, '0');
    event.id = `${event.id.slice(0, -4)}${suffix}`;
    event.detail.id = `${event.detail.id.slice(0, -4)}${suffix}`;
    event.detail.resource.instanceDetails.instanceId = `i-0c0ffee000000${suffix}`;
    return { origin: `storm-host-${n + 1}.json`, text: JSON.stringify(event) };
  });
}

const isolated = (estate: SimulatedEstate, instanceId: string): boolean => {
  for (const state of [estate.aws, ...estate.awsRegions.values()]) {
    const instance = state.instances[instanceId];
    if (!instance) continue;
    return instance.networkInterfaces.length > 0 && instance.networkInterfaces.every((n) => n.groups.length === 1 && state.securityGroups[n.groups[0] as string]?.name === ISOLATION_GROUP_NAME);
  }
  return false;
};

async function stormOnce(playbooks: readonly Playbook[], scheduled: boolean): Promise<StormRun & { specOf: (key: string) => BucketSpec | undefined }> {
  const batch = planBatch(stormInputs(), compileRouter(playbooks), planSettings({ now: new Date(), mode: 'tabletop', maxActionsPerAccountPerHour: 10 * STORM_HOSTS }));
  const planned = batch.planned.filter((p) => p.incident.steps.length > 0);
  if (planned.length !== STORM_HOSTS) throw new Error(`the storm planned ${planned.length} incidents with steps, not ${STORM_HOSTS}`);
  const instanceIds = planned.map((p) => p.incident.steps.find((s) => s.action === 'quarantine-instance')?.target.id.split('/').pop() ?? '');
  // Records on a RAM disk where there is one: the figure is about API rate limits, and on a shared,
  // busy disk the audit log's fsyncs would stall the one event loop the estate shares with the engine.
  const home = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'cordon-bench-ratelimit-'));
  const records = openLocalRecords(home);
  const estate = await startSimulatedEstate({ findings: planned.map((p) => p.incident.finding), latency: STORM_LATENCY, rateLimits: { profile: 'ec2-documented' } });
  const limiter = estate.rateLimiter;
  if (!limiter) throw new Error('the estate has no rate limits');
  const scheduler = scheduled ? new CallScheduler((key) => limiter.specOf(key)) : false;
  const isolatedAt: (number | undefined)[] = instanceIds.map(() => undefined);
  const t0 = performance.now();
  const poll = setInterval(() => {
    const t = performance.now() - t0;
    instanceIds.forEach((id, i) => {
      if (isolatedAt[i] === undefined && isolated(estate, id)) isolatedAt[i] = t;
    });
  }, POLL_MS);
  try {
    const reports = await runLocally(planned, { mode: 'tabletop', playbooks, records, estate, concurrency: STORM_HOSTS, scheduler });
    const wallMs = performance.now() - t0;
    clearInterval(poll);
    instanceIds.forEach((id, i) => {
      if (isolatedAt[i] === undefined && isolated(estate, id)) isolatedAt[i] = wallMs;
    });
    // A step that ended failed is dropped; skipped ones (already done by an earlier attempt) are not.
    const dropped = reports.flatMap((r) => r.steps).filter((s) => s.status === 'failed');
    if (dropped.length > 0) progress(`rate-limited storm (${scheduled ? 'scheduled' : 'unscheduled'}): ${dropped.length} steps not done, e.g. ${dropped.slice(0, 3).map((s) => `${s.action}: ${s.status} ${s.reason ?? s.errorClass ?? ''}`).join('; ')}`);
    const calls: Record<string, number> = {};
    for (const c of estate.server.calls) calls[c.operation] = (calls[c.operation] ?? 0) + 1;
    const errors: Record<string, number> = {};
    for (const c of estate.server.calls) if (c.status >= 400) errors[`${c.operation} ${c.status}`] = (errors[`${c.operation} ${c.status}`] ?? 0) + 1;
    progress(`rate-limited storm (${scheduled ? 'scheduled' : 'unscheduled'}): error answers ${JSON.stringify(errors)}`);
    const isolationCalls: Record<string, number> = {};
    if (scheduler) {
      for (const [id, byClass] of Object.entries(scheduler.stats.dispatched)) {
        const n = (byClass as Partial<Record<CallClass, number>>).isolate ?? 0;
        if (n > 0) isolationCalls[id.split('/').pop() as string] = n;
      }
    }
    return {
      isolatedAt,
      throttled: estate.server.calls.filter((c) => c.rateLimited).length,
      droppedSteps: dropped.length,
      footholdsOpen: reports.reduce((n, r) => n + (r.eviction?.open ?? 0), 0),
      calls,
      isolationCalls,
      wallMs,
      specOf: (key) => limiter.specOf(key),
    };
  } finally {
    clearInterval(poll);
    await estate.close();
    await records.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

export async function measureRateLimitedStorm(playbooks: readonly Playbook[]): Promise<RateLimitedStorm> {
  progress(`rate-limited storm: ${STORM_HOSTS} hosts, scheduled …`);
  const run = await stormOnce(playbooks, true);
  progress(`rate-limited storm: scheduled run took ${Math.round(run.wallMs)} ms; now without the scheduler …`);
  const naive = await stormOnce(playbooks, false);
  progress(`rate-limited storm: unscheduled run took ${Math.round(naive.wallMs)} ms`);

  const times = run.isolatedAt.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const open = run.isolatedAt.filter((t) => t === undefined).length;
  const lastMs = open === 0 ? round(times[times.length - 1] as number) : null;
  const oneCallMs = CLOUD_PROFILE.writeMs;
  const lowerBoundMs = round(tokenBucketLowerBoundMs(run.isolationCalls, run.specOf) + oneCallMs);
  const ratio = lastMs === null ? null : round(lastMs / lowerBoundMs, 3);
  const profile: Record<string, BucketSpec> = {};
  for (const op of Object.keys(run.calls)) {
    const spec = run.specOf(op);
    if (spec) profile[op] = spec;
  }
  const naiveTimes = naive.isolatedAt.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const naiveOpen = naive.isolatedAt.filter((t) => t === undefined).length;
  return {
    incidents: STORM_HOSTS,
    p50Ms: round(median(times)),
    p99Ms: round(percentile(times, 99)),
    lastMs,
    lowerBoundMs,
    ratio,
    throttled: run.throttled,
    droppedSteps: run.droppedSteps,
    footholdsOpen: run.footholdsOpen,
    hostsNotIsolated: open,
    isolationCalls: run.isolationCalls,
    calls: run.calls,
    profile,
    wallMs: round(run.wallMs),
    unscheduled: {
      lastMs: naiveOpen === 0 ? round(naiveTimes[naiveTimes.length - 1] as number) : null,
      throttled: naive.throttled,
      droppedSteps: naive.droppedSteps,
      footholdsOpen: naive.footholdsOpen,
      hostsNotIsolated: naiveOpen,
      p50Ms: naiveTimes.length ? round(median(naiveTimes)) : null,
      wallMs: round(naive.wallMs),
    },
    method:
      `${STORM_HOSTS} copies of ${EC2_FINDING.split('/').pop()} (one instance each, one account, region and VPC) planned with the per-account hourly action cap raised to ${10 * STORM_HOSTS} (the default 50 would hold most hosts back for a person), then runLocally with all ${STORM_HOSTS} incidents at once ` +
      `against the estate with EC2's documented per-API token buckets (functions/core/rate-limits.ts) and the '${CLOUD_PROFILE.name}' latency profile (${CLOUD_PROFILE.readMs} ms reads, ${CLOUD_PROFILE.writeMs} ms writes), in real time. ` +
      `Records (case store, audit, evidence) live on /dev/shm when it exists. footholdsOpen = the open footholds the estate's attacker model reports over all incidents (its verdict after each run); the time a host counts as isolated is when every network interface holds only the ${ISOLATION_GROUP_NAME} group in the estate, polled every ${POLL_MS} ms. ` +
      `lowerBoundMs = slowest bucket's (isolation calls − bucket) ÷ refill, buckets full at the start, + one ${oneCallMs} ms call; isolation calls = the calls the scheduler let through in the 'isolate' class. ` +
      `unscheduled = the same storm with the call scheduler off (SDK standard retry, then the workflow's Retry).`,
    target: { ...atMost(ratio ?? Number.POSITIVE_INFINITY, 1.2, '× token-bucket lower bound'), pass: ratio !== null && ratio <= 1.2 && run.droppedSteps === 0 && open === 0 && run.footholdsOpen === 0 && run.throttled < naive.throttled },
  };
}
