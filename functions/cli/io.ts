/** What a command may touch: injected so tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** True when stdout is a terminal (progress and colour). */
  interactive: boolean;
}

export const processIo = (): Io => ({
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
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
