import { readFileSync, statSync } from 'node:fs';
import type { Rejected } from '../core/model.js';

/** Files larger than this are refused before reading: a batch export is large, a disk image is not an event. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export type InputFile = { origin: string; text: string } | { origin: string; rejected: Rejected };

/** Reads event files; problems become `rejected` entries naming the file, never exceptions. */
export function readInputFiles(paths: readonly string[]): InputFile[] {
  return paths.map((path) => {
    try {
      const stat = statSync(path);
      if (stat.isDirectory()) return { origin: path, rejected: { file: path, reason: 'is a directory, expected a JSON event file' } };
      if (stat.size > MAX_FILE_BYTES) return { origin: path, rejected: { file: path, reason: `file is ${Math.round(stat.size / 1048576)} MB, over the ${MAX_FILE_BYTES / 1048576} MB limit` } };
      return { origin: path, text: readFileSync(path, 'utf8') };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? (e as Error).message})`;
      return { origin: path, rejected: { file: path, reason } };
    }
  });
}
