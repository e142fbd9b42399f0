import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, EXCERPT_BYTES, GENESIS_HASH, MAX_DATA_BYTES, excerptOf, hashRecord, keyBeside, verifyAuditLog, type AuditRecord, type AuditSink } from './audit-log.js';
import { localAuditSigner, type AuditSigner } from './audit-signer.js';
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
    expect(Object.keys(parsed).sort()).toEqual(['at', 'data', 'event', 'hash', 'incident', 'prev', 'seq', 'sig']);
    // The hash is SHA-256 of the canonical JSON of the record without `hash` and `sig`, recomputable by anyone.
    const { hash, sig: _sig, ...rest } = parsed;
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
    const forged = { seq: 6, at: '2024-03-30T22:30:00.000Z', incident: INC, event: 'clock.closed', data: { reference: 'none' }, prev: records[4]?.hash, hash: 'f'.repeat(64), sig: records[4]?.sig };
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
    // Twin: without the anchored head, a shorter chain is still a valid chain.
    expect(verifyAuditLog(path).ok).toBe(true);
    expect(verifyAuditLog(path, { head: head.hash })).toMatchObject({ ok: false, line: 4, problem: expect.stringContaining('cut') });
  });

  it('accepts later records after the anchored head (the log goes on)', async () => {
    const path = freshPath();
    const records = await writeHistory(path);
    expect(verifyAuditLog(path, { head: records[2]?.hash ?? '' })).toMatchObject({ ok: true, records: 5 });
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

/** What an insider without the key can do: edit a record, then recompute every hash and link after it. */
function recomputeFrom(path: string, edit: (r: AuditRecord) => AuditRecord, index: number, signWith?: KeyObject): void {
  const records = lines(path).map((l) => JSON.parse(l) as AuditRecord);
  let prev = index === 0 ? GENESIS_HASH : (records[index - 1]?.hash ?? '');
  for (let i = index; i < records.length; i++) {
    const base = edit(records[i] as AuditRecord);
    const { hash: _h, sig, ...body } = { ...base, prev };
    const hash = hashRecord(body);
    records[i] = { ...body, hash, sig: signWith ? cryptoSign(null, Buffer.from(hash), signWith).toString('base64') : sig };
    prev = hash;
  }
  rewrite(path, records.map((r) => canonicalJson(r)));
}

describe('signed chain', () => {
  it('fails an edited record whose whole chain was recomputed without the key (hashes and links all fit)', async () => {
    const path = freshPath();
    await writeHistory(path);
    recomputeFrom(path, (r) => (r.seq === 4 ? { ...r, data: { ...(r.data as object), status: 'failed' } } : r), 3);
    expect(verifyAuditLog(path)).toEqual({ ok: false, line: 4, problem: expect.stringContaining('signature does not verify') });
  });

  it('fails a chain re-signed with another key and a swapped audit.pub, given the real key (or the anchored head)', async () => {
    const path = freshPath();
    const records = await writeHistory(path);
    const genuine = keyBeside(path);
    const forger = generateKeyPairSync('ed25519');
    recomputeFrom(path, (r) => (r.seq === 2 ? { ...r, event: 'approval.approved' } : r), 0, forger.privateKey);
    writeFileSync(join(dirname(path), 'audit.pub'), forger.publicKey.export({ type: 'spki', format: 'pem' }));
    // Twin: trusting the audit.pub beside the log, the forgery passes — the key must come from elsewhere.
    expect(verifyAuditLog(path)).toMatchObject({ ok: true });
    expect(verifyAuditLog(path, { key: genuine! })).toMatchObject({ ok: false, line: 1, problem: expect.stringContaining("signature") });
    expect(verifyAuditLog(path, { head: records[4]?.hash ?? '' })).toMatchObject({ ok: false, line: 6 });
  });

  it('fails a record with a __proto__ member added to its data (the hash would not cover it)', async () => {
    const path = freshPath();
    await writeHistory(path);
    const ls = lines(path);
    ls[1] = (ls[1] ?? '').replace('"data":{', '"data":{"__proto__":{"approvedBy":"mallory"},');
    rewrite(path, ls);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
  });

  it('fails a record with a duplicated key, and a line not in canonical form', async () => {
    const path = freshPath();
    await writeHistory(path);
    const ls = lines(path);
    ls[1] = (ls[1] ?? '').replace('"event":"plan"', '"event":"approval.approved","event":"plan"');
    rewrite(path, ls);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2, problem: expect.stringContaining('canonical') });
  });

  it('fails a duplicated seq (a forked chain)', async () => {
    const path = freshPath();
    await writeHistory(path);
    const ls = lines(path);
    ls.splice(3, 0, ls[2] ?? '');
    rewrite(path, ls);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 4, problem: expect.stringContaining('seq is 3') });
  });

  it('writes audit.pub beside the log and keeps the key owner-only', async () => {
    const path = freshPath();
    await writeHistory(path);
    const dir = dirname(path);
    expect(statSync(join(dir, 'audit.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'audit.pub')).mode & 0o777).toBe(0o600);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(keyBeside(path)?.asymmetricKeyType).toBe('ed25519');
  });
});

describe('bounded records', () => {
  it('keeps data too large for the store as its hash, size and first 64 KB', async () => {
    const path = freshPath();
    const log = new AuditLog({ path });
    const huge = 'x'.repeat(MAX_DATA_BYTES + 10);
    const record = await log.append({ incident: null, event: 'ingest', data: { event: huge } });
    const kept = (record.data as { oversize: { sha256: string; bytes: number; first: string; truncated: boolean } }).oversize;
    expect(kept.bytes).toBe(Buffer.byteLength(canonicalJson({ event: huge })));
    expect(kept.sha256).toBe(sha256Hex(canonicalJson({ event: huge })));
    expect(Buffer.byteLength(kept.first)).toBeLessThanOrEqual(EXCERPT_BYTES);
    expect(kept.truncated).toBe(true);
    expect(Buffer.byteLength(lines(path)[0] ?? '')).toBeLessThan(400 * 1024);
    expect(verifyAuditLog(path)).toMatchObject({ ok: true });
  });

  it('cuts an excerpt on a character boundary', () => {
    const text = `${'a'.repeat(EXCERPT_BYTES - 1)}é and more`;
    const e = excerptOf(text);
    expect(e.first).toBe('a'.repeat(EXCERPT_BYTES - 1));
    expect(e).toMatchObject({ bytes: Buffer.byteLength(text), truncated: true });
  });
});

describe('writers', () => {
  const lockOf = (path: string, pid: number) => writeFileSync(`${path}.lock`, JSON.stringify({ pid, host: hostname(), token: 'another-writer' }));

  it('takes over at once the lock of a writer that crashed (its process is gone)', { timeout: 10_000 }, async () => {
    const path = freshPath();
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    lockOf(path, dead);
    // The default lease is 30 s: waiting for it would time this test out.
    await new AuditLog({ path }).append({ incident: null, event: 'notification', data: {} });
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, records: 1 });
  });

  it('never takes the lock of a live writer that stalls past the lease (no fork), and goes on when it is done', async () => {
    const path = freshPath();
    await new AuditLog({ path }).append({ incident: null, event: 'notification', data: { n: 1 } });
    lockOf(path, process.pid); // a live holder (this very process)
    let done = false;
    const pending = new AuditLog({ path, staleLockMs: 10 }).append({ incident: null, event: 'notification', data: { n: 2 } }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    rmSync(`${path}.lock`);
    await pending;
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, records: 2 });
  });

  it('twin: without the liveness check, the stalled writer’s lock is taken as soon as its lease runs out', async () => {
    const path = freshPath();
    lockOf(path, process.pid);
    await new AuditLog({ path, staleLockMs: 10, isAlive: () => false }).append({ incident: null, event: 'notification', data: {} });
    expect(lines(path)).toHaveLength(1);
  });

  it('fences a writer whose lock was taken while it stalled: it chains after the other writer instead of forking', async () => {
    const path = freshPath();
    const base = localAuditSigner(dirname(path));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const stalling: AuditSigner = {
      keyId: base.keyId,
      publicKeyPem: () => base.publicKeyPem(),
      sign: async (hash) => {
        if (first) {
          first = false;
          await gate; // stalls holding the lock, after it read the last record
        }
        return base.sign(hash);
      },
    };
    await new AuditLog({ path }).append({ incident: null, event: 'notification', data: { n: 0 } });
    const stalled = new AuditLog({ path, signer: stalling }).append({ incident: null, event: 'notification', data: { who: 'stalled' } });
    await new Promise((r) => setTimeout(r, 50));
    // Another host's writer (liveness unknown) takes the lock after its lease.
    await new AuditLog({ path, staleLockMs: 10, isAlive: () => false }).append({ incident: null, event: 'notification', data: { who: 'other' } });
    release();
    await stalled;
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, records: 3 });
    expect(lines(path).map((l) => (JSON.parse(l) as AuditRecord).seq)).toEqual([1, 2, 3]);
  });
});
