import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashRecord, type AuditRecord } from '../../functions/records/audit-log.js';
import { canonicalJson } from '../../functions/core/canonical-json.js';
import { cordon, PUBLIC_FIXTURES } from './harness.js';

/**
 * The issue-13 evidence, end to end on a real tabletop run (by hand: `cordon tabletop --json
 * FILE`, edit `$CORDON_HOME/tabletop/<run>/audit.jsonl`, `cordon audit verify FILE [--head H]`).
 */
interface Doc {
  audit: { records: number; head: string; file: string; keyId: string };
}

const FINDING = join(PUBLIC_FIXTURES, 'securityhub/asr-simdata-afsbp-s3.8.json');

async function exercise(home?: string): Promise<Doc & { home: string }> {
  const r = await cordon(['tabletop', '--json', FINDING], home ? { home } : {});
  expect(r.code).toBe(0);
  return { ...(JSON.parse(r.stdout) as Doc), home: r.home };
}
const linesOf = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n');
const write = (file: string, lines: string[]) => writeFileSync(file, `${lines.join('\n')}\n`);

describe('cordon audit verify on a tabletop chain', () => {
  it('anchors head and key id in the tabletop JSON; the chain verifies with the audit.pub beside it', async () => {
    const doc = await exercise();
    expect(doc.audit.keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);
    const v = await cordon(['audit', 'verify', doc.audit.file, '--head', doc.audit.head, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, records: doc.audit.records, head: doc.audit.head, keyId: doc.audit.keyId });
    // Owner-only: the home, the run directory and everything Cordon wrote in it.
    const run = dirname(doc.audit.file);
    for (const dir of [doc.home, dirname(run), run]) expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(run)) if (statSync(join(run, f)).isFile()) expect([f, statSync(join(run, f)).mode & 0o777]).toEqual([f, 0o600]);
  });

  it('fails one edited record whose whole chain was recomputed without the key', async () => {
    const { audit } = await exercise();
    const records = linesOf(audit.file).map((l) => JSON.parse(l) as AuditRecord);
    let prev = '0'.repeat(64);
    const forged = records.map((r, i) => {
      const body = { seq: r.seq, at: r.at, incident: r.incident, event: i === 2 ? ('approval.approved' as const) : r.event, data: r.data, prev };
      prev = hashRecord(body);
      return canonicalJson({ ...body, hash: prev, sig: r.sig });
    });
    write(audit.file, forged);
    const v = await cordon(['audit', 'verify', audit.file]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/audit\.jsonl:3: signature does not verify/);
  });

  it('fails a __proto__ key added to a record’s data', async () => {
    const { audit } = await exercise();
    const lines = linesOf(audit.file);
    lines[1] = (lines[1] ?? '').replace('"data":{', '"data":{"__proto__":{"approvedBy":"mallory"},');
    write(audit.file, lines);
    const v = await cordon(['audit', 'verify', audit.file]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/audit\.jsonl:2: /);
  });

  it('fails when the last records were cut and --head is given (and only then)', async () => {
    const { audit } = await exercise();
    write(audit.file, linesOf(audit.file).slice(0, -3));
    expect((await cordon(['audit', 'verify', audit.file])).code).toBe(0);
    const v = await cordon(['audit', 'verify', audit.file, '--head', audit.head]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/cut/);
  });

  it('fails a duplicated seq', async () => {
    const { audit } = await exercise();
    const lines = linesOf(audit.file);
    lines.splice(2, 0, lines[1] ?? '');
    write(audit.file, lines);
    const v = await cordon(['audit', 'verify', audit.file]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/audit\.jsonl:3: seq is 2/);
  });

  it('without any key to verify with, exits 2 naming where it looked', async () => {
    const { audit } = await exercise();
    rmSync(join(dirname(audit.file), 'audit.pub'));
    const v = await cordon(['audit', 'verify', audit.file]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/no audit key/);
    expect((await cordon(['audit', 'verify', audit.file, '--key', join(dirname(audit.file), 'nope.pub')])).code).toBe(2);
  });

  it('records an exercise that was killed (its marker left behind) in its own chain and in the next run’s', async () => {
    const first = await exercise();
    const run = dirname(first.audit.file);
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    writeFileSync(join(run, `run-${dead}.active`), JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const r = await cordon(['tabletop', '--json', FINDING], { home: first.home });
    expect(r.stderr).toMatch(/was aborted/);
    const second = JSON.parse(r.stdout) as Doc;
    const last = JSON.parse(linesOf(first.audit.file).at(-1) ?? '') as AuditRecord;
    expect(last).toMatchObject({ event: 'run.aborted', data: { pid: dead } });
    expect(linesOf(second.audit.file).some((l) => (JSON.parse(l) as AuditRecord).event === 'run.aborted')).toBe(true);
    expect((await cordon(['audit', 'verify', first.audit.file])).code).toBe(0);
    // Recorded once: a third run finds the marker retired.
    const third = await cordon(['tabletop', '--json', FINDING], { home: first.home });
    expect(third.stderr).not.toMatch(/was aborted/);
  });
});
