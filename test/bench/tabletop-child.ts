/**
 * `cordon tabletop` over every public fixture, in-process: what the command costs once the CLI's
 * modules are loaded (no tsx start-up). Prints one JSON line: import time, first run, warm runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicFixtureFiles, REPO_ROOT } from './fixtures.js';

const RUNS = 3;
const t0 = performance.now();
const { main } = await import('../../functions/cli/main.js');
const importMs = performance.now() - t0;

const runs: number[] = [];
const codes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const home = mkdtempSync(join(tmpdir(), 'cordon-bench-tabletop-'));
  try {
    const s = performance.now();
    const code = await main(['tabletop', ...publicFixtureFiles(), '--json'], {
      out: () => undefined,
      err: () => undefined,
      env: { ...process.env, CORDON_HOME: home },
      cwd: REPO_ROOT,
      interactive: false,
    });
    runs.push(performance.now() - s);
    codes.push(code);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
process.stdout.write(`${JSON.stringify({ importMs, runs, codes })}\n`);
