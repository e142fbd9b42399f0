import type { KeyObject } from 'node:crypto';
import { hashRecord, type AuditRecord } from './audit-log.js';
import { verifySignature, type AuditSigner } from './audit-signer.js';
import { canonicalJson, sha256Hex } from '../core/canonical-json.js';

/**
 * A signed checkpoint of the cloud chain, written to the Object Lock bucket, where nobody — not
 * even whoever holds the audit key and can write the case table — can change or remove it. It
 * lists the hash of every record it covers, so a later comparison names each record that went
 * missing, was altered or was added, not only that something changed.
 */
export interface AuditCheckpoint {
  /** The first and last `seq` covered. */
  from: number;
  to: number;
  /** The hashes of records from..to, in order (the last is the head at `to`). */
  hashes: string[];
  at: string;
  keyId: string;
  /** Signature over checkpointHash(this). */
  sig: string;
}

/** Where checkpoints are kept: the Object Lock bucket in the cloud (write-once). */
export interface CheckpointStore {
  put(checkpoint: AuditCheckpoint): Promise<void>;
  list(): Promise<AuditCheckpoint[]>;
}

export function checkpointHash(checkpoint: Omit<AuditCheckpoint, 'sig'>): string {
  const { from, to, hashes, at, keyId } = checkpoint;
  return sha256Hex(canonicalJson({ from, to, hashes, at, keyId }));
}

export async function makeCheckpoint(records: readonly AuditRecord[], signer: AuditSigner, at: Date): Promise<AuditCheckpoint> {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw new RangeError('a checkpoint covers at least one record');
  const body = { from: first.seq, to: last.seq, hashes: records.map((r) => r.hash), at: at.toISOString(), keyId: signer.keyId };
  return { ...body, sig: await signer.sign(checkpointHash(body)) };
}

export interface CheckpointComparison {
  ok: boolean;
  /** Checkpoints read, and how many of them carried a valid signature and shape. */
  checkpoints: number;
  /** Records the checkpoints vouch for (seq 1..covered, where contiguous). */
  covered: number;
  /** Records a checkpoint lists that the table no longer has. */
  missing: number[];
  /** Records whose content no longer hashes to what the checkpoint recorded. */
  altered: number[];
  /** Records in the table that no checkpoint lists, inside the covered range (or beside a record of the same seq). */
  extra: number[];
  /** Checkpoints that do not verify (a forged or damaged object): named by their range. */
  badCheckpoints: string[];
}

/**
 * Compares the records of the table with the checkpoints. Records after the last checkpoint are
 * not judged here (the chain check still verifies them).
 */
export function compareWithCheckpoints(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[], key: KeyObject): CheckpointComparison {
  const expected = new Map<number, string>();
  const badCheckpoints: string[] = [];
  let good = 0;
  for (const cp of checkpoints) {
    const shapeOk = Number.isInteger(cp.from) && Number.isInteger(cp.to) && Array.isArray(cp.hashes) && cp.hashes.length === cp.to - cp.from + 1;
    if (!shapeOk || !verifySignature(key, checkpointHash(cp), cp.sig)) {
      badCheckpoints.push(`${String(cp.from)}-${String(cp.to)}`);
      continue;
    }
    good++;
    cp.hashes.forEach((hash, i) => expected.set(cp.from + i, hash));
  }
  let covered = 0;
  while (expected.has(covered + 1)) covered++;
  const bySeq = new Map<number, AuditRecord[]>();
  for (const r of records) bySeq.set(r.seq, [...(bySeq.get(r.seq) ?? []), r]);
  const missing: number[] = [];
  const altered: number[] = [];
  const extra: number[] = [];
  for (const [seq, hash] of [...expected].sort((a, b) => a[0] - b[0])) {
    const found = bySeq.get(seq) ?? [];
    if (found.length === 0) missing.push(seq);
    // Altered: the stored hash differs, or the content no longer hashes to it.
    else if (!found.some((r) => r.hash === hash && hashRecord(r) === hash)) altered.push(seq);
    if (found.length > 1) extra.push(seq);
  }
  const maxCovered = Math.max(0, ...expected.keys());
  for (const seq of bySeq.keys()) if (!expected.has(seq) && seq <= maxCovered) extra.push(seq);
  extra.sort((a, b) => a - b);
  return { ok: missing.length + altered.length + extra.length + badCheckpoints.length === 0, checkpoints: good, covered, missing, altered, extra, badCheckpoints };
}
