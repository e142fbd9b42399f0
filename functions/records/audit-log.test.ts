import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS_HASH, hashRecord, verifyAuditLog, type AuditRecord, type AuditSink } from './audit-log.js';
import { canonicalJson, sha256Hex } from '../core/canonical-json.js';
import { runTsx } from '../../test/support/records/run-tsx.js';

const dirs: string[] = [];
const freshPath = () => {
  const d = mkdtempSync(join(tmpdir(), 'cordon-audit-'));
  dirs.push(d);
  return join(d, 'audit.jsonl');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const INC = 'inc-0123456789abcdef';

/** A short incident history, as the runner writes it. */
async function writeHistory(path: string): Promise<AuditRecord[]> {
  let t = Date.parse('2024-03-30T22:20:00.000Z');
  const log = new AuditLog({ path, now: () => new Date((t += 1000)) });
  return [
    await log.append({ incident: INC, event: 'ingest', data: { origin: 'guardduty.json', rawSha256: 'ab'.repeat(32) } }),
    await log.append({ incident: INC, event: 'plan', data: { playbook: 'aws-ec2-compromise', steps: 2 } }),
    await log.append({ incident: INC, event: 'step.start', data: { step: 'quarantine-instance:i-1' } }),
    await log.append({ incident: INC, event: 'step.end', data: { step: 'quarantine-instance:i-1', status: 'succeeded', before: { groups: ['sg-1'] }, after: { groups: ['sg-iso'] } } }),
    await log.append({ incident: INC, event: 'clock.opened', data: { regime: 'gdpr-art33', deadline: '2024-04-02T22:20:00.000Z' } }),
  ];
}

const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');
const rewrite = (path: string, ls: string[]) => writeFileSync(path, `${ls.join('\n')}\n`);

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('audit log', () => {
  it('chains records from the genesis hash, each line carrying exactly the contract fields', async () => {
    const path = freshPath();
    const records = await writeHistory(path);
    const [first, second] = records;
    expect(first).toMatchObject({ seq: 1, prev: GENESIS_HASH, at: '2024-03-30T22:20:01.000Z', incident: INC, event: 'ingest' });
    expect(second?.prev).toBe(first?.hash);
    const parsed = JSON.parse(lines(path)[0] ?? '') as AuditRecord;
    expect(Object.keys(parsed).sort()).toEqual(['at', 'data', 'event', 'hash', 'incident', 'prev', 'seq']);
    // The hash is SHA-256 of the canonical JSON of the record without `hash`, recomputable by anyone.
    const { hash, ...rest } = parsed;
    expect(hash).toBe(sha256Hex(canonicalJson(rest)));
    expect(hashRecord(rest)).toBe(hash);
    expect(new AuditLog({ path }).head()).toEqual({ records: 5, hash: records[4]?.hash });
    expect(verifyAuditLog(path)).toEqual({ ok: true, records: 5, head: records[4]?.hash });
  });

  it('reports an empty head before the first record, and a missing file as a failure', () => {
    const path = freshPath();
    expect(new AuditLog({ path }).head()).toEqual({ records: 0, hash: GENESIS_HASH });
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 0 });
  });

  it('names the edited line', async () => {
    const path = freshPath();
    await writeHistory(path);
    const ls = lines(path);
    ls[3] = (ls[3] ?? '').replace('"succeeded"', '"failed"');
    rewrite(path, ls);
    expect(verifyAuditLog(path)).toEqual({ ok: false, line: 4, problem: 'hash does not match the record: its content was changed' });
  });

  it('names the line after a deleted one', async () => {
    const path = freshPath();
    await writeHistory(path);
    const ls = lines(path);
    ls.splice(1, 1);
    rewrite(path, ls);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
  });

  it('names the first line out of order', async () => {
    const path = freshPath();
    await writeHistory(path);
    const ls = lines(path);
    [ls[2], ls[3]] = [ls[3] ?? '', ls[2] ?? ''];
    rewrite(path, ls);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 3 });
  });

  it('catches a forged line appended with a made-up hash, and truncated JSON', async () => {
    const path = freshPath();
    const records = await writeHistory(path);
    const forged = { seq: 6, at: '2024-03-30T22:30:00.000Z', incident: INC, event: 'clock.closed', data: { reference: 'none' }, prev: records[4]?.hash, hash: 'f'.repeat(64) };
    rewrite(path, [...lines(path), canonicalJson(forged)]);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 6, problem: expect.stringContaining('hash does not match') });

    const path2 = freshPath();
    await writeHistory(path2);
    const ls = lines(path2);
    ls[4] = (ls[4] ?? '').slice(0, 40);
    rewrite(path2, ls);
    expect(verifyAuditLog(path2)).toMatchObject({ ok: false, line: 5, problem: expect.stringContaining('not valid JSON') });
  });

  it('catches lines cut off the end when the head is known from elsewhere', async () => {
    const path = freshPath();
    await writeHistory(path);
    const head = new AuditLog({ path }).head();
    rewrite(path, lines(path).slice(0, 3));
    expect(verifyAuditLog(path).ok).toBe(true);
    expect(verifyAuditLog(path, head)).toMatchObject({ ok: false, line: 4 });
  });

  it('mirrors every record to further sinks after the chain has it', async () => {
    const path = freshPath();
    const mirrored: AuditRecord[] = [];
    const sink: AuditSink = { name: 'memory', write: async (r) => void mirrored.push(r) };
    const log = new AuditLog({ path, sinks: [sink] });
    await Promise.all([1, 2, 3].map((i) => log.append({ incident: null, event: 'notification', data: { i } })));
    expect(mirrored.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, records: 3 });
  });

  it('keeps a valid chain with no lost record when two processes append at once', async () => {
    const path = freshPath();
    const writer = fileURLToPath(new URL('../../test/support/records/audit-writer.ts', import.meta.url));
    const local = new AuditLog({ path });
    await Promise.all([
      runTsx(writer, [path, 'a', '100']),
      runTsx(writer, [path, 'b', '100']),
      (async () => {
        for (let i = 0; i < 50; i++) await local.append({ incident: INC, event: 'step.start', data: { writer: 'parent', i } });
      })(),
    ]);
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, records: 250 });
    const byWriter = new Map<string, number[]>();
    for (const l of lines(path)) {
      const { data } = JSON.parse(l) as { data: { writer: string; i: number } };
      byWriter.set(data.writer, [...(byWriter.get(data.writer) ?? []), data.i]);
    }
    expect(byWriter.get('a')).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(byWriter.get('b')).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(byWriter.get('parent')).toHaveLength(50);
  });
});
