/**
 * Target ids reach SDK calls, ARM URLs and file names. Real ids (ARNs, instance ids, ARM ids,
 * object ids, UPNs) never hold control characters or `..` path segments and stay well under 2 KiB;
 * an id that does is hostile or corrupt input, and Cordon does not act on it.
 */
export const MAX_TARGET_ID_LENGTH = 2048;

// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const DOT_SEGMENT = /(^|[/\\:])\.\.?([/\\:]|$)/;

/** Why the id is not a usable target id, or undefined when it is fine. */
export function malformedTargetId(id: string): string | undefined {
  const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
  if (id.trim() === '') return 'the target id is empty';
  if (id.length > MAX_TARGET_ID_LENGTH) return `the target id is ${id.length} characters long, over ${MAX_TARGET_ID_LENGTH}: ${shown}`;
  if (CONTROL.test(id)) return `the target id ${shown} holds control characters`;
  if (DOT_SEGMENT.test(id)) return `the target id ${shown} holds a '.' or '..' path segment`;
  return undefined;
}
