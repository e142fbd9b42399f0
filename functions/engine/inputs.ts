import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import type { Rejected } from '../core/model.js';

/** Files larger than this are refused before reading: a batch export is large, a disk image is not an event. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export type InputFile = { origin: string; text: string } | { origin: string; rejected: Rejected };

/** What a non-regular file is, for the refusal. */
function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads one event file: only a regular file, its size checked on the open descriptor before a
 * byte is read. The open is non-blocking, so a FIFO cannot hang the command waiting for a writer,
 * and a symlink to `/dev/zero` is refused as the device it is instead of being read forever.
 */
function readRegularFile(path: string): InputFile {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { origin: path, rejected: { file: path, reason: `is ${kindOf(stat)}, expected a JSON event file` } };
    if (stat.size > MAX_FILE_BYTES) return { origin: path, rejected: { file: path, reason: `file is ${Math.round(stat.size / 1048576)} MB, over the ${MAX_FILE_BYTES / 1048576} MB limit` } };
    // Read to the end, but never past the cap: a file that grows while it is read is still bounded.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(stat.size - length, 0) + 65536, MAX_FILE_BYTES + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > MAX_FILE_BYTES) return { origin: path, rejected: { file: path, reason: `file grew past the ${MAX_FILE_BYTES / 1048576} MB limit while it was read` } };
    }
    return { origin: path, text: Buffer.concat(chunks, length).toString('utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, expected a JSON event file' : `cannot read (${code ?? (e as Error).message})`;
    return { origin: path, rejected: { file: path, reason } };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads event files; problems become `rejected` entries naming the file, never exceptions. */
export function readInputFiles(paths: readonly string[]): InputFile[] {
  return paths.map(readRegularFile);
}
