/**
 * Type globs: `*` stands for any run of characters (including `/` and `:`), everything else is
 * literal and case-sensitive, as finding types are. A list of globs compiles to one anchored
 * RegExp so routing a finding costs one `test` per playbook, not one parse per call.
 */
export type GlobMatcher = (value: string) => boolean;

const REGEX_SPECIALS = /[.+?^${}()|[\]\\]/g;

export function globSource(glob: string): string {
  return glob
    .split('*')
    .map((part) => part.replace(REGEX_SPECIALS, '\\$&'))
    .join('.*');
}

export function compileGlobs(globs: readonly string[]): GlobMatcher {
  if (globs.includes('*')) return () => true;
  const re = new RegExp(`^(?:${globs.map(globSource).join('|')})$`);
  return (value) => re.test(value);
}
