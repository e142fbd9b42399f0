import type * as z from 'zod';

/**
 * The first problem of a zod error, the way every Cordon rejection names it: the dotted field path
 * (`detail.severity`, `CORDON_HOME`; empty for the value itself) and zod's message. Each edge wraps
 * it in its own typed error (InputError, HandlerConfigError, …); only the edge's wording differs.
 */
export function firstIssue(error: z.ZodError, fallback = 'invalid'): { field: string; message: string } {
  const issue = error.issues[0];
  return { field: issue ? issue.path.map(String).join('.') : '', message: issue?.message ?? fallback };
}

/** `field.path: message`, with `whole` standing for the value itself when the issue has no path. */
export function issueLine(error: z.ZodError, whole: string): string {
  const { field, message } = firstIssue(error);
  return `${field || whole}: ${message}`;
}
