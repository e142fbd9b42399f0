import { isInputError } from '../core/errors.js';
import { EXIT, type Io, processIo } from './io.js';
import { COMMANDS } from './commands/index.js';

const HELP = `cordon — contain cloud security incidents in seconds, keep the evidence, run the regulatory clock.

Usage: cordon <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run 'cordon <command> --help' for a command's options and examples.
State lives in $CORDON_HOME (default .cordon/ in the working directory).
Exit codes: 0 success, 1 an action or workflow failed, 2 bad input or usage.`;

/** Runs one command line and returns the exit code; never throws, never prints a stack trace. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (name === '--version') {
    io.out('cordon 0.1.0');
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.err(`cordon: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See 'cordon --help'.`);
    return EXIT.badInput;
  }
  try {
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.help);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (e) {
    if (isInputError(e)) {
      io.err(`cordon: ${e.message}`);
      return EXIT.badInput;
    }
    const error = e as Error;
    io.err(`cordon: internal error: ${error?.message ?? String(e)} (set CORDON_DEBUG=1 for details)`);
    if (io.env.CORDON_DEBUG) io.err(String(error?.stack));
    return EXIT.failed;
  }
}
