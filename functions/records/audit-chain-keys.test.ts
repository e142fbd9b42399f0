import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, hashRecord, verifyAuditLog, type AuditRecord } from './audit-log.js';

const dirs: string[] = [];
const freshPath = () => {
  const d = mkdtempSync(join(tmpdir(), 'cordon-audit-keys-'));
  dirs.push(d);
  return join(d, 'audit.jsonl');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

describe('audit chain: every key of a record is hashed', () => {
  it('a record with a __proto__ key inside data hashes differently from one without it', () => {
    const body = { seq: 1, at: '2024-03-30T22:20:01.000Z', incident: null, event: 'ingest' as const, prev: '0'.repeat(64) };
    // JSON.parse makes the own `__proto__` key a reader of the log would see.
    const withProto = JSON.parse('{"origin":"x.json","__proto__":{"approved":true}}') as unknown;
    expect(hashRecord({ ...body, data: withProto })).not.toBe(hashRecord({ ...body, data: { origin: 'x.json' } }));
    const withConstructor = JSON.parse('{"origin":"x.json","constructor":{"approved":true}}') as unknown;
    expect(hashRecord({ ...body, data: withConstructor })).not.toBe(hashRecord({ ...body, data: { origin: 'x.json' } }));
  });

  it('keeps a __proto__ key that data really carries, and the chain verifies', async () => {
    const path = freshPath();
    const log = new AuditLog({ path });
    const record = await log.append({ incident: null, event: 'ingest', data: JSON.parse('{"__proto__":{"x":1},"origin":"a.json"}') as unknown });
    const stored = JSON.parse(lines(path)[0] ?? '') as AuditRecord;
    expect(Object.keys(stored.data as object)).toEqual(['__proto__', 'origin']);
    expect(stored.hash).toBe(record.hash);
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, records: 1 });
  });

  it('catches a __proto__ key smuggled into a line after it was written', async () => {
    const path = freshPath();
    const log = new AuditLog({ path });
    await log.append({ incident: null, event: 'ingest', data: { origin: 'a.json' } });
    await log.append({ incident: null, event: 'notification', data: { i: 2 } });
    const ls = lines(path);
    ls[0] = (ls[0] ?? '').replace('"data":{', '"data":{"__proto__":{"approved":true},');
    expect(ls[0]).toContain('__proto__');
    writeFileSync(path, `${ls.join('\n')}\n`);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 1, problem: expect.stringContaining('hash does not match') });
  });
});
