import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson, sha256Hex } from '../core/canonical-json.js';
import { withFileLock } from './file-lock.js';

/**
 * The hash-chained audit log, `$CORDON_HOME/audit.jsonl` (DESIGN.md §3): one record per line,
 * exactly `seq`, `at`, `incident`, `event`, `data`, `prev`, `hash`.
 *   - `seq` counts from 1; `prev` is the previous record's `hash` (GENESIS_HASH for the first);
 *   - `hash` = SHA-256 (hex) of the RFC 8785 canonical JSON (core/canonical-json.ts) of the
 *     record without `hash`;
 *   - each line is the canonical JSON of the whole record.
 * Editing, deleting, inserting or reordering a line breaks the chain at that line. Cutting lines
 * off the end leaves a valid, shorter chain: that is caught by comparing with a head kept
 * elsewhere (`verifyAuditLog(path, expectedHead)`, or a write-once mirror such as S3 Object Lock).
 */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_EVENTS = [
  'ingest',
  'plan',
  'step.start',
  'step.end',
  'incident.status',
  'approval.requested',
  'approval.approved',
  'approval.rejected',
  'approval.timed-out',
  'clock.opened',
  'clock.reminder',
  'clock.awareness-corrected',
  'clock.closed',
  'notification',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface AuditEntry {
  /** The incident the record is about; null for records about the run as a whole. */
  incident: string | null;
  event: AuditEvent;
  data: unknown;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  at: string;
  prev: string;
  hash: string;
}

export interface AuditHead {
  records: number;
  /** Hash of the last record; GENESIS_HASH when the log is empty. */
  hash: string;
}

/**
 * A further place every finished record goes after the local chain has it (the cloud's S3 bucket
 * with Object Lock, a SIEM …). The chain itself is built once, by AuditLog.
 */
export interface AuditSink {
  readonly name: string;
  write(record: AuditRecord): Promise<void>;
}

const RECORD_KEYS = ['at', 'data', 'event', 'hash', 'incident', 'prev', 'seq'];

/** Where records are appended: the local file (AuditLog) or the cloud's shared table (TableAuditTrail). */
export interface AuditTrail {
  append(entry: AuditEntry): Promise<AuditRecord>;
}

/** The record that follows `last` in a chain (pure: the one place a record is built and hashed). */
export function chainRecord(last: Pick<AuditRecord, 'seq' | 'hash'> | undefined, entry: AuditEntry, at: Date): AuditRecord {
  const body = {
    seq: (last?.seq ?? 0) + 1,
    at: at.toISOString(),
    incident: entry.incident,
    event: entry.event,
    // Through JSON once, so what is hashed is exactly what a reader will parse back.
    data: entry.data === undefined ? null : (JSON.parse(JSON.stringify(entry.data)) as unknown),
    prev: last?.hash ?? GENESIS_HASH,
  };
  return { ...body, hash: hashRecord(body) };
}

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  const { seq, at, incident, event, data, prev } = record;
  return sha256Hex(canonicalJson({ seq, at, incident, event, data, prev }));
}

export interface AuditLogOptions {
  path: string;
  sinks?: readonly AuditSink[];
  now?: () => Date;
  /** How long to wait for another process's lock before treating it as abandoned. */
  staleLockMs?: number;
}

/**
 * Appends to the chain. Safe under several processes: a write holds `audit.jsonl.lock`
 * (created with O_EXCL, so only one process has it), reads the last record for `seq`/`prev`,
 * writes and fsyncs, and removes the lock. Appends that arrive while a write is under way are
 * committed together by the next write (group commit): one lock and one fsync for the batch,
 * and no append resolves before its line is on disk.
 */
export class AuditLog implements AuditTrail {
  private readonly lockPath: string;
  private pending: { entry: AuditEntry; resolve(r: AuditRecord): void; reject(e: unknown): void }[] = [];
  private writing = false;

  constructor(private readonly options: AuditLogOptions) {
    this.lockPath = `${options.path}.lock`;
    mkdirSync(dirname(options.path), { recursive: true });
  }

  static inHome(home: string, options: Omit<AuditLogOptions, 'path'> = {}): AuditLog {
    return new AuditLog({ ...options, path: join(home, 'audit.jsonl') });
  }

  get path(): string {
    return this.options.path;
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  head(): AuditHead {
    const last = readLastRecord(this.options.path);
    return last ? { records: last.seq, hash: last.hash } : { records: 0, hash: GENESIS_HASH };
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const records = await this.writeBatch(batch.map((b) => b.entry));
        for (const record of records) for (const sink of this.options.sinks ?? []) await sink.write(record);
        batch.forEach((b, i) => b.resolve(records[i] as AuditRecord));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.writing = false;
  }

  private writeBatch(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    return withFileLock(
      this.lockPath,
      () => {
        let last: Pick<AuditRecord, 'seq' | 'hash'> | undefined = readLastRecord(this.options.path);
        const records = entries.map((entry) => {
          const record = chainRecord(last, entry, this.options.now?.() ?? new Date());
          last = record;
          return record;
        });
        const fd = openSync(this.options.path, 'a');
        try {
          writeSync(fd, records.map((r) => `${canonicalJson(r)}\n`).join(''));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        return records;
      },
      this.options.staleLockMs,
    );
  }
}

/** Reads the last line of the log without reading the whole file. */
function readLastRecord(path: string): AuditRecord | undefined {
  if (!existsSync(path)) return undefined;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let chunk = 4096;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const text = buf.toString('utf8').replace(/\n+$/, '');
      if (text === '') return undefined;
      const nl = text.lastIndexOf('\n');
      if (nl >= 0 || start === 0) return JSON.parse(text.slice(nl + 1)) as AuditRecord;
      chunk *= 4;
    }
  } finally {
    closeSync(fd);
  }
}

export type AuditVerification = { ok: true; records: number; head: string } | { ok: false; line: number; problem: string };

/**
 * Checks the whole chain and names the first bad line (1-based). `expectedHead`, when known
 * from elsewhere, also catches lines cut off the end.
 */
export function verifyAuditLog(path: string, expectedHead?: AuditHead): AuditVerification {
  if (!existsSync(path)) return { ok: false, line: 0, problem: `no audit log at ${path}` };
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return verifyAuditLines(lines, expectedHead);
}

/** The chain check itself, over the lines of a log (a file, or the cloud chain written out as lines). */
export function verifyAuditLines(lines: readonly string[], expectedHead?: AuditHead): AuditVerification {
  let prev = GENESIS_HASH;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(lines[i] ?? '');
    } catch {
      return { ok: false, line, problem: 'not valid JSON (truncated or edited)' };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, line, problem: 'not a JSON object' };
    const keys = Object.keys(parsed).sort();
    if (keys.join() !== RECORD_KEYS.join()) {
      return { ok: false, line, problem: `fields must be exactly ${RECORD_KEYS.join(', ')}; found ${keys.join(', ')}` };
    }
    const record = parsed as AuditRecord;
    if (record.seq !== line) return { ok: false, line, problem: `seq is ${JSON.stringify(record.seq)} where ${line} was expected (a line was deleted, inserted or moved)` };
    if (record.prev !== prev) return { ok: false, line, problem: `prev does not match the hash of line ${line - 1}${line === 1 ? ' (genesis)' : ''}: the chain is broken here` };
    if (hashRecord(record) !== record.hash) return { ok: false, line, problem: 'hash does not match the record: its content was changed' };
    prev = record.hash;
  }
  if (expectedHead && (expectedHead.records !== lines.length || expectedHead.hash !== prev)) {
    return { ok: false, line: lines.length + 1, problem: `the log ends at record ${lines.length}, but the recorded head is record ${expectedHead.records} (${expectedHead.hash.slice(0, 12)}…): lines were removed from the end` };
  }
  return { ok: true, records: lines.length, head: prev };
}
