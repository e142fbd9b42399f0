import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../functions/cli/main.js';
import type { Io } from '../../functions/cli/io.js';

export { PUBLIC_FIXTURES } from '../support/public-fixtures.js';
export const FIXTURES = join(import.meta.dirname, '../fixtures');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  home: string;
}

/** Runs `cordon ARGS` in-process with a fresh (or given) CORDON_HOME; output captured. */
export async function cordon(args: string[], options: { home?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'cordon-cli-'));
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    env: { ...process.env, CORDON_HOME: home, NO_COLOR: '1', ...options.env },
    cwd: process.cwd(),
    interactive: false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr, home };
}
