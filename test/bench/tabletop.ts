import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastJsonLine, runNode } from './child.js';
import { publicFixtureFiles, REPO_ROOT } from './fixtures.js';
import { atMost, median, progress, round, type TargetCheck } from './stats.js';

export interface Tabletop {
  tabletopAllFixturesMs: number;
  cliStartupMs: number;
  inProcess: { importMs: number; firstRunMs: number; warmRunMs: number };
  incidents: number;
  method: string;
  target: TargetCheck;
}

const RUNS = 3;
const CLI = join(REPO_ROOT, 'bin/cordon.js');

async function cliOnce(files: readonly string[]): Promise<{ ms: number; incidents: number }> {
  const home = mkdtempSync(join(tmpdir(), 'cordon-bench-tabletop-'));
  try {
    const r = await runNode([CLI, 'tabletop', ...files, '--json'], { cwd: REPO_ROOT, env: { ...process.env, CORDON_HOME: home } });
    // 1 = a step failed in the exercise, which is still a full replay; 2 = it refused the input.
    if (r.code !== 0 && r.code !== 1) throw new Error(`cordon tabletop exited ${r.code}: ${r.stderr.slice(-2000)}`);
    const doc = JSON.parse(r.stdout) as { incidents: unknown[] };
    return { ms: r.ms, incidents: doc.incidents.length };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export async function measureTabletop(): Promise<Tabletop> {
  const files = publicFixtureFiles();
  const cli: { ms: number; incidents: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    cli.push(await cliOnce(files));
    progress(`tabletop CLI run ${i + 1}: ${Math.round(cli[i]!.ms)} ms`);
  }
  const startup: number[] = [];
  for (let i = 0; i < RUNS; i++) startup.push((await runNode([CLI, '--version'], { cwd: REPO_ROOT })).ms);
  const inner = lastJsonLine<{ importMs: number; runs: number[]; codes: number[] }>(
    await runNode(['--import', 'tsx', join(REPO_ROOT, 'test/bench/tabletop-child.ts')], { cwd: REPO_ROOT }),
    'tabletop child',
  );
  const ms = round(median(cli.map((c) => c.ms)), 0);
  const cliStartupMs = round(median(startup), 0);
  return {
    tabletopAllFixturesMs: ms,
    cliStartupMs,
    inProcess: { importMs: round(inner.importMs, 0), firstRunMs: round(inner.runs[0]!, 0), warmRunMs: round(median(inner.runs.slice(1)), 0) },
    incidents: cli[0]!.incidents,
    method:
      `wall time of \`node bin/cordon.js tabletop <all ${files.length} public fixtures> --json\` (spawn to exit, fresh CORDON_HOME), median of ${RUNS}; ` +
      `it includes Node + tsx start-up (\`cordon --version\`: ${cliStartupMs} ms, median of ${RUNS}) and compiling the CLI's TypeScript on the fly. ` +
      `In-process (one child: import the CLI, then run the command ${RUNS}× with fresh homes): import ${round(inner.importMs, 0)} ms, first run ${round(inner.runs[0]!, 0)} ms ` +
      `(builds the interpreters), warm runs median ${round(median(inner.runs.slice(1)), 0)} ms; exit codes ${inner.codes.join(', ')}.`,
    target: atMost(ms, 5_000, 'ms'),
  };
}
