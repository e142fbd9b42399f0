import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The public sample events, described by their SOURCES.md. SOURCES.md sorts them: every file under
 * these folders must ingest (`cordon plan`); `other-shapes/` gives each file its own expected outcome
 * (rejected with a reason, a validation answer, or a finding routed somewhere).
 */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');
/**
 * What the tests and benchmarks read: the project's byte copies (test/fixtures/public, sources in its
 * SOURCES.md), so a clone without ../shared beside it still runs its tests (DESIGN §7).
 */
export const PUBLIC_FIXTURES = resolve(REPO_ROOT, 'test/fixtures/public');
/** The shared originals, beside the repository only in the development setup; never read by a test but the copy check. */
export const SHARED_PUBLIC_FIXTURES = resolve(REPO_ROOT, '../shared/fixtures/public');
export const SHARED_PRESENT = existsSync(SHARED_PUBLIC_FIXTURES);
/** Why the copy check skips in a user's clone (named relative to the repository: no machine paths in output). */
export const SHARED_ABSENT_MESSAGE = 'skipped: ../shared/fixtures/public is not beside this checkout (only the development setup has it; every other test reads test/fixtures/public)';
export const MUST_INGEST_DIRS = ['guardduty', 'securityhub', 'defender-export'] as const;
export const OTHER_SHAPES_DIR = 'other-shapes';

export function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFilesUnder(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

/** Every file SOURCES.md says must ingest, under `root` (absolute paths, sorted). */
export function mustIngestFiles(root: string): string[] {
  return MUST_INGEST_DIRS.filter((d) => existsSync(join(root, d))).flatMap((d) => jsonFilesUnder(join(root, d)));
}
