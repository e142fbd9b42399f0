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
    const setup = missingCloudSetup(e);
    if (setup) {
      io.err(`cordon: ${setup}`);
      return EXIT.badInput;
    }
    const error = e as Error;
    io.err(`cordon: internal error: ${error?.message ?? String(e)} (set CORDON_DEBUG=1 for details)`);
    if (io.env.CORDON_DEBUG) io.err(String(error?.stack));
    return EXIT.failed;
  }
}

/**
 * Missing credentials or region are usage errors (DESIGN §3: exit 2 with a line that says what to set), not
 * internal errors: the SDKs report them as their own error types when a command first reaches a cloud.
 */
export function missingCloudSetup(e: unknown): string | undefined {
  const name = (e as { name?: unknown } | null)?.name;
  const message = (e as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : '';
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(text)) {
    return 'no AWS credentials found: set AWS_PROFILE (with a profile in ~/.aws) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an IAM role is available';
  }
  if (/^region is missing$/i.test(text.trim())) return 'no AWS region: pass --region or set AWS_REGION';
  if (name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError') {
    return 'no Azure credentials found: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or sign in with `az login`';
  }
  return undefined;
}
