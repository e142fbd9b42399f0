/**
 * Typed errors. An InputError is the user's to fix: the CLI prints its one-line message
 * (file and field) and exits 2, never a stack trace.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${problem}`);
  }
}

/** Bad command-line usage (unknown flag, missing argument): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function isInputError(e: unknown): e is InputError | UsageError {
  return e instanceof InputError || e instanceof UsageError;
}
