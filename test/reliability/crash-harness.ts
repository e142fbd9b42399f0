import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatedEstate } from '../../functions/sim/estate.js';

/**
 * The crash tests' one way to kill an engine: a child process (crash-child.ts) runs the engine on
 * `home` against an estate this process owns, and is SIGKILLed the moment `condition` holds.
 */
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function killChildEngineWhen(home: string, estate: SimulatedEstate, condition: () => boolean, what: string): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, home, estate.url, 'ec2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    await until(condition, `${what} (stderr: ${err})`);
  } finally {
    child.kill('SIGKILL');
  }
  return exited;
}

/** How many calls of `op` the estate served successfully. */
export const served = (estate: SimulatedEstate, op: string) => estate.server.calls.filter((c) => c.operation === op && c.status < 300).length;
