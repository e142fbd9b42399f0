import type { KeyObject } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AUDIT_PUB_FILE, localAuditSigner, parsePublicKey, verifySignature, type AuditSigner } from './audit-signer.js';
import { canonicalJson, sha256Hex } from '../core/canonical-json.js';
import { withFileLock } from './file-lock.js';
import { PRIVATE_FILE_MODE, makePrivateDir, touchPrivateFile, writePrivateFile } from './private-fs.js';

/**
 * The hash-chained, signed audit log, `$CORDON_HOME/audit.jsonl` (DESIGN.md §3): one record per
 * line, exactly `seq`, `at`, `incident`, `event`, `data`, `prev`, `hash`, `sig`.
 *   - `seq` counts from 1; `prev` is the previous record's `hash` (GENESIS_HASH for the first);
 *   - `hash` = SHA-256 (hex) of the RFC 8785 canonical JSON of the record without `hash` and `sig`;
 *   - `sig` = the audit key's signature over `hash` (audit-signer.ts); `audit.pub` lies beside the log;
 *   - each line is the canonical JSON of the whole record, and nothing else.
 * Editing, deleting, inserting or reordering a line breaks the chain at that line; recomputing
 * every hash after an edit needs the key. Cutting lines off the end, or a rewrite by someone who
 * holds the key, is caught by a head kept elsewhere (`verifyAuditLines(lines, { head })`, the
 * Object Lock checkpoints in the cloud).
 */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_EVENTS = [
  'ingest',
  'plan',
  'step.start',
  'step.end',
  // Evidence an action recorded the moment the cloud made it (before the step ended), and the
  // evidence manifest's digest after each change to it.
  'evidence.recorded',
  'evidence.manifest',
  'incident.status',
  'approval.requested',
  'approval.approved',
  'approval.rejected',
  'approval.timed-out',
  'clock.opened',
  'clock.reminder',
  'clock.awareness-corrected',
  'clock.correction-refused',
  'clock.anchored',
  'clock.missed',
  'clock.closed',
  'notification',
  // A run that ended without closing its chain (killed), found and recorded by the next run.
  'run.aborted',
  'register.decided',
  // The kill switch (cordon pause / resume), with who changed it.
  'cordon.paused',
  'cordon.resumed',
] as const;
/** `release.<action>`: an audited undo of one step (`cordon release`), named by the action it undoes. */
export type AuditEvent = (typeof AUDIT_EVENTS)[number] | `release.${string}`;

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
  sig: string;
}

/** A record chained and hashed but not yet signed. */
export type UnsignedAuditRecord = Omit<AuditRecord, 'sig'>;

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

const RECORD_KEYS = ['at', 'data', 'event', 'hash', 'incident', 'prev', 'seq', 'sig'];

/** Where records are appended: the local file (AuditLog) or the cloud's shared table (TableAuditTrail). */
export interface AuditTrail {
  append(entry: AuditEntry): Promise<AuditRecord>;
}

/**
 * The largest `data` a record keeps whole (canonical JSON bytes). A DynamoDB item holds at most
 * 400 KB (the record is stored as one attribute beside its keys); this leaves room for the rest of
 * the record and the item's keys, so no record can exceed the store's limit.
 */
export const MAX_DATA_BYTES = 256 * 1024;
/** How much of something too large to keep is kept: its first bytes (DESIGN: ≤ 64 KB). */
export const EXCERPT_BYTES = 64 * 1024;

/** What is kept of a value too large (or too untrusted) to keep whole: its hash, size and first bytes. */
export interface Excerpt {
  sha256: string;
  bytes: number;
  /** The first bytes (at most EXCERPT_BYTES of UTF-8, cut on a character boundary). */
  first: string;
  truncated: boolean;
}

export function excerptOf(text: string | Buffer): Excerpt {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  // Cut on a character boundary: decoding a cut multi-byte sequence would add U+FFFD.
  let end = Math.min(bytes.length, EXCERPT_BYTES);
  while (end < bytes.length && end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { sha256: sha256Hex(bytes), bytes: bytes.length, first: bytes.subarray(0, end).toString('utf8'), truncated: end < bytes.length };
}

/** The record that follows `last` in a chain (pure: the one place a record is built and hashed). */
export function chainRecord(last: Pick<AuditRecord, 'seq' | 'hash'> | undefined, entry: AuditEntry, at: Date): UnsignedAuditRecord {
  // Through JSON once, so what is hashed is exactly what a reader will parse back.
  let data = entry.data === undefined ? null : (JSON.parse(JSON.stringify(entry.data)) as unknown);
  const text = canonicalJson(data);
  if (Buffer.byteLength(text, 'utf8') > MAX_DATA_BYTES) data = { oversize: excerptOf(text) };
  const body = {
    seq: (last?.seq ?? 0) + 1,
    at: at.toISOString(),
    incident: entry.incident,
    event: entry.event,
    data,
    prev: last?.hash ?? GENESIS_HASH,
  };
  return { ...body, hash: hashRecord(body) };
}

export async function signRecord(record: UnsignedAuditRecord, signer: AuditSigner): Promise<AuditRecord> {
  return { ...record, sig: await signer.sign(record.hash) };
}

export function hashRecord(record: Omit<UnsignedAuditRecord, 'hash'>): string {
  const { seq, at, incident, event, data, prev } = record;
  return sha256Hex(canonicalJson({ seq, at, incident, event, data, prev }));
}

export interface AuditLogOptions {
  path: string;
  /** The audit key; default the local Ed25519 key of the log's own directory. */
  signer?: AuditSigner;
  sinks?: readonly AuditSink[];
  now?: () => Date;
  /** How long a lock held from another host may go unrenewed (see file-lock.ts). */
  staleLockMs?: number;
  /** Liveness of a local lock holder (tests only: shows what the check prevents). */
  isAlive?: (pid: number) => boolean;
}

/**
 * Appends to the chain. Safe under several processes: a write holds `audit.jsonl.lock` (see
 * file-lock.ts: a crashed holder's lock is recovered at once, a live one is never taken), reads
 * the last record for `seq`/`prev`, builds and signs the batch, and — fenced — appends and fsyncs
 * only if the file still ends where it did when the last record was read and the lock is still
 * its own; otherwise it chains the batch again after what is there now. So the chain never forks
 * (two records with one `seq`). Appends that arrive while a write is under way are committed
 * together by the next write (group commit): one lock and one fsync for the batch, and no append
 * resolves before its line is on disk.
 */
export class AuditLog implements AuditTrail {
  private readonly lockPath: string;
  private readonly signer: AuditSigner;
  private pending: { entry: AuditEntry; resolve(r: AuditRecord): void; reject(e: unknown): void }[] = [];
  private writing = false;

  constructor(private readonly options: AuditLogOptions) {
    this.lockPath = `${options.path}.lock`;
    const dir = dirname(options.path);
    makePrivateDir(dir);
    this.signer = options.signer ?? localAuditSigner(dir);
  }

  static inHome(home: string, options: Omit<AuditLogOptions, 'path'> = {}): AuditLog {
    return new AuditLog({ ...options, path: join(home, 'audit.jsonl') });
  }

  get path(): string {
    return this.options.path;
  }

  get keyId(): string {
    return this.signer.keyId;
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

  private async writeBatch(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    await this.publishKey();
    for (;;) {
      const written = await withFileLock(
        this.lockPath,
        async (lease) => {
          touchPrivateFile(this.options.path);
          const size = statSync(this.options.path).size;
          let last: Pick<AuditRecord, 'seq' | 'hash'> | undefined = readLastRecord(this.options.path);
          const records: AuditRecord[] = [];
          for (const entry of entries) {
            const record = await signRecord(chainRecord(last, entry, this.options.now?.() ?? new Date()), this.signer);
            records.push(record);
            last = record;
          }
          // Fencing: if another writer appended meanwhile (it took the lock while this one
          // stalled), these records would fork the chain — build them again after its records.
          if (!lease.held() || statSync(this.options.path).size !== size) return undefined;
          const fd = openSync(this.options.path, 'a', PRIVATE_FILE_MODE);
          try {
            writeSync(fd, records.map((r) => `${canonicalJson(r)}\n`).join(''));
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
          return records;
        },
        { ...(this.options.staleLockMs !== undefined ? { staleMs: this.options.staleLockMs } : {}), ...(this.options.isAlive ? { isAlive: this.options.isAlive } : {}) },
      );
      if (written) return written;
    }
  }

  private keyPublished = false;

  /** `audit.pub` beside the log, so `audit verify FILE` finds the key that signed it. */
  private async publishKey(): Promise<void> {
    if (this.keyPublished) return;
    const pubPath = join(dirname(this.options.path), AUDIT_PUB_FILE);
    const pem = await this.signer.publicKeyPem();
    if (!existsSync(pubPath) || readFileSync(pubPath, 'utf8') !== pem) writePrivateFile(pubPath, pem);
    this.keyPublished = true;
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

export interface VerifyOptions {
  /** The audit public key. Without it nothing is verified: a chain anyone can recompute proves nothing. */
  key: KeyObject;
  /** A head anchored elsewhere (a report, a ticket, a checkpoint): that record must be in the chain. */
  head?: string;
}

/** The public key beside a log (`audit.pub`), if there is one and it is a key. */
export function keyBeside(path: string): KeyObject | undefined {
  const pub = join(dirname(path), AUDIT_PUB_FILE);
  return existsSync(pub) ? parsePublicKey(readFileSync(pub, 'utf8')) : undefined;
}

/**
 * Checks the whole chain and names the first bad line (1-based); the key defaults to the
 * `audit.pub` beside the log (`cordon audit verify` also looks in `--key` and `$CORDON_HOME`).
 */
export function verifyAuditLog(path: string, options: Partial<VerifyOptions> = {}): AuditVerification {
  if (!existsSync(path)) return { ok: false, line: 0, problem: `no audit log at ${path}` };
  const key = options.key ?? keyBeside(path);
  if (!key) return { ok: false, line: 0, problem: `no audit key: no ${AUDIT_PUB_FILE} beside ${path}` };
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return verifyAuditLines(lines, { ...options, key });
}

/** The chain check itself, over the lines of a log (a file, or the cloud chain written out as lines). */
export function verifyAuditLines(lines: readonly string[], options: VerifyOptions): AuditVerification {
  let prev = GENESIS_HASH;
  let headFound = options.head === undefined || options.head === GENESIS_HASH;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const text = lines[i] ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, line, problem: 'not valid JSON (truncated or edited)' };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, line, problem: 'not a JSON object' };
    const keys = Object.keys(parsed).sort();
    if (keys.join() !== RECORD_KEYS.join()) {
      return { ok: false, line, problem: `fields must be exactly ${RECORD_KEYS.join(', ')}; found ${keys.join(', ')}` };
    }
    const record = parsed as AuditRecord;
    if (record.seq !== line) return { ok: false, line, problem: `seq is ${JSON.stringify(record.seq)} where ${line} was expected (a line was deleted, duplicated, inserted or moved)` };
    if (record.prev !== prev) return { ok: false, line, problem: `prev does not match the hash of line ${line - 1}${line === 1 ? ' (genesis)' : ''}: the chain is broken here` };
    // The line must be exactly the canonical form of what it parses to: a duplicate key, or a
    // member the canonical form cannot carry (such as `__proto__`), would otherwise add content
    // the hash does not cover.
    if (canonicalJson(parsed) !== text) return { ok: false, line, problem: 'not in canonical form (a duplicate key, a __proto__ member or an edit the hash does not cover)' };
    if (hashRecord(record) !== record.hash) return { ok: false, line, problem: 'hash does not match the record: its content was changed' };
    if (!verifySignature(options.key, record.hash, record.sig)) return { ok: false, line, problem: 'signature does not verify with the audit key: the record was rewritten (or signed by another key)' };
    prev = record.hash;
    if (record.hash === options.head) headFound = true;
  }
  if (!headFound) {
    return { ok: false, line: lines.length + 1, problem: `the log ends at record ${lines.length} without the anchored head ${options.head?.slice(0, 16) ?? ''}…: records were cut from the end (or the log was rewritten)` };
  }
  return { ok: true, records: lines.length, head: prev };
}
