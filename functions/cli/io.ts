/** What a command may touch: injected so tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** True when stdout is a terminal (progress and colour). */
  interactive: boolean;
}

/**
 * `cordon … | head` closes the pipe early: stdout then fails with EPIPE. That is the reader's choice, not
 * an error — the command finishes its work (records stay consistent) and stops printing, quietly.
 */
let stdoutClosed = false;
let stdoutGuarded = false;
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      stdoutClosed = true;
      return;
    }
    process.stderr.write(`cordon: cannot write to standard output: ${e.message}\n`);
    process.exitCode = 1;
  });
}

export const processIo = (): Io => (guardStdout(), {
  out: (text) => {
    if (!stdoutClosed) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  },
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
  cwd: process.cwd(),
  interactive: Boolean(process.stdout.isTTY),
});

export interface Command {
  name: string;
  help: string;
  run(argv: string[], io: Io): Promise<number>;
}

export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;
