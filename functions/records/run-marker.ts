import { existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { AuditLog, type AuditTrail } from './audit-log.js';
import { localAuditSigner, type AuditSigner } from './audit-signer.js';
import { processAlive } from './file-lock.js';
import { writePrivateFile } from './private-fs.js';

/**
 * A run (a tabletop, `cordon run`) marks its home while it runs: `run-<pid>.active`. A run that
 * ends removes its marker; a run that is killed leaves it, and its chain would otherwise verify
 * `ok` as if it had finished. The next run finds markers whose process is gone and records them:
 * a `run.aborted` record at the end of the aborted run's own chain and one in its own chain.
 */
interface Marker {
  pid: number;
  host: string;
  startedAt: string;
}

const SUFFIX = '.active';

export interface RunMarker {
  end(): void;
}

export function beginRun(home: string, startedAt: Date): RunMarker {
  const path = join(home, `run-${process.pid}${SUFFIX}`);
  const marker: Marker = { pid: process.pid, host: hostname(), startedAt: startedAt.toISOString() };
  writePrivateFile(path, JSON.stringify(marker));
  return { end: () => rmSync(path, { force: true }) };
}

export interface AbortedRun {
  home: string;
  pid: number;
  startedAt: string;
  /** The aborted run's own head after its `run.aborted` record. */
  head: string;
}

/**
 * Records every run in `homes` that was aborted (its marker names a process of this host that no
 * longer runs) — in its own chain, signed with its own home's key, then in `audit` (the current
 * run's) — and retires the marker
 * (renamed `.aborted`, so it is recorded once).
 */
export async function recordAbortedRuns(homes: readonly string[], audit: AuditTrail, signerOf: (home: string) => AuditSigner = localAuditSigner, now: () => Date = () => new Date(), isAlive: (pid: number) => boolean = processAlive): Promise<AbortedRun[]> {
  const found: AbortedRun[] = [];
  for (const home of homes) {
    if (!existsSync(home)) continue;
    for (const name of readdirSync(home).filter((n) => n.endsWith(SUFFIX)).sort()) {
      const path = join(home, name);
      let marker: Marker;
      try {
        marker = JSON.parse(readFileSync(path, 'utf8')) as Marker;
      } catch {
        continue;
      }
      if (marker.host !== hostname() || marker.pid === process.pid || isAlive(marker.pid)) continue;
      const data = { run: basename(home), pid: marker.pid, startedAt: marker.startedAt, detectedAt: now().toISOString(), detectedBy: process.pid };
      let head = '';
      if (existsSync(join(home, 'audit.jsonl'))) head = (await AuditLog.inHome(home, { signer: signerOf(home), now }).append({ incident: null, event: 'run.aborted', data })).hash;
      await audit.append({ incident: null, event: 'run.aborted', data: { ...data, head } });
      renameSync(path, path.replace(/\.active$/, '.aborted'));
      found.push({ home, pid: marker.pid, startedAt: marker.startedAt, head });
    }
  }
  return found;
}
