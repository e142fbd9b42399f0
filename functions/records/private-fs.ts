import { chmodSync, closeSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `$CORDON_HOME` holds the signing key, the case store and evidence of incidents: everything in
 * it is created owner-only (directories 0700, files 0600), whatever the process umask says.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** mkdir -p, every directory it creates (and the leaf) owner-only. */
export function makePrivateDir(path: string): void {
  const first = mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is masked by the umask (which can only remove bits), and an existing leaf keeps its own.
  if (first !== undefined) chmodSync(path, PRIVATE_DIR_MODE);
}

/** Creates `path` (owner-only) if it does not exist yet; never truncates it. */
export function touchPrivateFile(path: string): void {
  makePrivateDir(dirname(path));
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

/** Writes a whole file owner-only, atomically (temp file + rename): a reader never sees half of it. */
export function writePrivateFile(path: string, data: string | Buffer): void {
  makePrivateDir(dirname(path));
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data, { mode: PRIVATE_FILE_MODE });
  renameSync(temp, path);
}
