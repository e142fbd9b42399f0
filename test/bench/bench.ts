/**
 * `npm run bench [-- --json]`: every DESIGN.md §6 figure, each with its method and its target.
 * Progress goes to stderr; stdout is the table, or with --json one JSON document.
 * Figures run one after another (never side by side) so they do not compete for the 2 cores.
 */
import { cpus, loadavg } from 'node:os';
import { loadPlaybooks } from '../../functions/core/playbooks/load.js';
import { measureBundles } from './bundles.js';
import { measureCriticalPath, STRESS_PROFILE } from './critical-path.js';
import { measurePlanThroughput } from './plan-throughput.js';
import { measureRateLimitedStorm } from './rate-limited-storm.js';
import { measureStorm } from './storm.js';
import { measureTabletop } from './tabletop.js';
import { progress, type TargetCheck } from './stats.js';

const json = process.argv.includes('--json');
const playbooks = loadPlaybooks();

progress('ingest + route + plan throughput …');
const plan = measurePlanThroughput(playbooks);
progress('critical path (workflow vs sequential, simulated latency) …');
const critical = await measureCriticalPath(playbooks);
progress('critical path under the stress latency profile …');
const stress = await measureCriticalPath(playbooks, STRESS_PROFILE);
progress('finding storm (child process) …');
const storm = await measureStorm();
progress('Lambda bundles …');
const bundles = await measureBundles();
progress('tabletop over every public fixture …');
const tabletop = await measureTabletop();
progress('100 hosts under EC2 API rate limits, with and without the call scheduler (real time, about two minutes) …');
const rateLimited = await measureRateLimitedStorm(playbooks);

const targets: Record<string, TargetCheck> = {
  planPerSecond: plan.target,
  criticalPathRatio: critical.target,
  bundles: bundles.target,
  storm: storm.target,
  tabletopAllFixturesMs: tabletop.target,
  rateLimitedStorm: rateLimited.target,
};

const doc = {
  // Load average at the end: other processes on this 2-core machine move every figure.
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverage: loadavg().map((l) => Math.round(l * 100) / 100), at: new Date().toISOString() },
  planPerSecond: plan.planPerSecond,
  planFromTextPerSecond: plan.fromTextPerSecond,
  criticalPathRatio: critical.criticalPathRatio,
  criticalPath: {
    workflowMs: critical.workflowMs,
    criticalPathMs: critical.criticalPathMs,
    sequential: critical.sequential,
    breakdown: critical.breakdown,
    latencyProfile: critical.latencyProfile,
    stress: { criticalPathRatio: stress.criticalPathRatio, workflowMs: stress.workflowMs, criticalPathMs: stress.criticalPathMs, sequential: stress.sequential, breakdown: stress.breakdown, latencyProfile: stress.latencyProfile },
  },
  bundles: bundles.bundles,
  ...(bundles.missing ? { bundlesMissing: bundles.missing } : {}),
  storm: { findings: storm.findings, incidents: storm.incidents, resources: storm.resources, peakRssMb: storm.peakRssMb, planMs: storm.planMs },
  tabletopAllFixturesMs: tabletop.tabletopAllFixturesMs,
  tabletop: { cliStartupMs: tabletop.cliStartupMs, inProcess: tabletop.inProcess, incidents: tabletop.incidents },
  rateLimitedStorm: (({ method: _method, target: _target, ...figure }) => figure)(rateLimited),
  method: {
    planPerSecond: plan.method,
    criticalPathRatio: critical.method,
    bundles: bundles.method,
    storm: storm.method,
    tabletopAllFixturesMs: tabletop.method,
    rateLimitedStorm: rateLimited.method,
  },
  targets,
};

if (json) {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
} else {
  const rows: [string, string, TargetCheck][] = [
    ['ingest + route + plan', `${plan.planPerSecond} findings/s (from text ${plan.fromTextPerSecond}/s)`, plan.target],
    ['critical-path ratio', `${critical.criticalPathRatio}× (${critical.workflowMs} ms over ${critical.criticalPathMs} ms; sequential ${critical.sequential.ratio}×, ${critical.sequential.ms} ms)`, critical.target],
    ['critical-path ratio, stress profile', `${stress.criticalPathRatio}× (${stress.workflowMs} ms over ${stress.criticalPathMs} ms; sequential ${stress.sequential.ratio}×)`, { ...stress.target, note: 'informational: latency 5× below the cloud profile' }],
    ['Lambda bundles', bundles.missing ?? Object.entries(bundles.bundles).map(([n, b]) => `${n} ${b.kb} KB / ${b.coldImportMs ?? 'n/a'} ms`).join(', '), bundles.target],
    ['finding storm', `${storm.findings} findings → ${storm.incidents} incidents, peak RSS ${storm.peakRssMb} MB`, storm.target],
    [
      '100 hosts under EC2 rate limits',
      `last isolated ${rateLimited.lastMs ?? 'never (some open)'} ms = ${rateLimited.ratio ?? 'n/a'}× lower bound ${rateLimited.lowerBoundMs} ms (p50 ${rateLimited.p50Ms}, p99 ${rateLimited.p99Ms}); throttled ${rateLimited.throttled}, dropped ${rateLimited.droppedSteps}, open ${rateLimited.footholdsOpen} | without scheduler: last ${rateLimited.unscheduled.lastMs ?? 'never'} ms, throttled ${rateLimited.unscheduled.throttled}, dropped ${rateLimited.unscheduled.droppedSteps}, open ${rateLimited.unscheduled.footholdsOpen}`,
      rateLimited.target,
    ],
    ['tabletop, all public fixtures', `${tabletop.tabletopAllFixturesMs} ms (CLI start-up ${tabletop.cliStartupMs} ms; in-process warm ${tabletop.inProcess.warmRunMs} ms)`, tabletop.target],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const out: string[] = [`Cordon benchmark — ${doc.machine.cpus} × ${doc.machine.cpuModel}, Node ${doc.machine.node}`, ''];
  for (const [name, value, t] of rows) out.push(`${t.pass ? 'PASS' : 'MISS'}  ${name.padEnd(w0)}  ${value}   [target ${t.target}${t.note ? `; ${t.note}` : ''}]`);
  out.push('', 'Method:');
  for (const [name, m] of Object.entries(doc.method)) out.push(`- ${name}: ${m}`);
  out.push('', `Critical path breakdown: ${JSON.stringify(critical.breakdown)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
