import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { PRIVATE_FILE_MODE } from './private-fs.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a lock file says about its holder. */
interface Holder {
  pid: number;
  host: string;
  token: string;
}

/** The lock as its holder sees it: whether it is still the one holding it (fencing). */
export interface Lease {
  held(): boolean;
}

export interface FileLockOptions {
  /**
   * How long a lock from ANOTHER host (a shared file system, where its pid cannot be checked) may
   * go without renewal before it is taken to be abandoned. Default 30 s.
   */
  staleMs?: number;
  /** Whether a process of this host is alive (tests inject a liar to show what the check prevents). */
  isAlive?: (pid: number) => boolean;
}

/** How long an empty lock file (its creator died between creating and writing it) is waited for. */
const UNWRITTEN_GRACE_MS = 2_000;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else — alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` while holding `lockPath`, a file created with O_EXCL ('wx'): only one process at a
 * time has it. The file names its holder (pid, host, a token). A lock whose holder on this host
 * is no longer running is taken at once (a crashed writer costs no wait); a live holder is never
 * robbed, however long it stalls — taking its lock would let two writers chain from the same
 * record. Only a holder on another host, which cannot be checked, loses its lock when it has not
 * renewed it (the holder touches the file every staleMs/3) for staleMs. `work` gets a lease to
 * check before it commits (fencing), for that case.
 */
export async function withFileLock<T>(lockPath: string, work: (lease: Lease) => T | Promise<T>, options: FileLockOptions | number = {}): Promise<T> {
  const { staleMs = 30_000, isAlive = processAlive } = typeof options === 'number' ? { staleMs: options } : options;
  const me: Holder = { pid: process.pid, host: hostname(), token: randomUUID() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', PRIVATE_FILE_MODE);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (abandoned(lockPath, staleMs, isAlive)) rmSync(lockPath, { force: true });
    await sleep(Math.min(20, 1 + attempt) * Math.random());
  }
  const renew = setInterval(() => {
    try {
      const now = new Date();
      if (holderOf(lockPath)?.token === me.token) utimesSync(lockPath, now, now);
    } catch {
      // Gone: the commit's lease check will say so.
    }
  }, Math.max(10, staleMs / 3));
  renew.unref();
  const lease: Lease = { held: () => holderOf(lockPath)?.token === me.token };
  try {
    return await work(lease);
  } finally {
    clearInterval(renew);
    // Remove the lock only if it is still ours (never another writer's that took over).
    if (lease.held()) rmSync(lockPath, { force: true });
  }
}

function holderOf(lockPath: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string' ? (parsed as Holder) : undefined;
  } catch {
    return undefined;
  }
}

function abandoned(lockPath: string, staleMs: number, isAlive: (pid: number) => boolean): boolean {
  let age: number;
  try {
    age = Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return false; // The holder removed it between our open and stat: just try again.
  }
  const holder = holderOf(lockPath);
  if (!holder) return age > UNWRITTEN_GRACE_MS;
  if (holder.host === hostname()) return !isAlive(holder.pid);
  return age > staleMs;
}
