import { closeSync, openSync, rmSync, statSync } from 'node:fs';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` while holding `lockPath`, a file created with O_EXCL ('wx'): only one process at a
 * time has it. A lock older than `staleMs` is taken to be left by a process that died mid-write.
 */
export async function withFileLock<T>(lockPath: string, work: () => T | Promise<T>, staleMs = 30_000): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      closeSync(openSync(lockPath, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      if (Date.now() - statSync(lockPath).mtimeMs > staleMs) rmSync(lockPath, { force: true });
    } catch {
      // The holder removed it between our open and stat: just try again.
    }
    await sleep(Math.min(20, 1 + attempt) * Math.random());
  }
  try {
    return await work();
  } finally {
    rmSync(lockPath, { force: true });
  }
}
