import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSimService } from '../../test/support/sim/dynamodb.js';
import { startSimServer, type RunningSimServer } from '../sim/server.js';
import { compareWithCheckpoints, type AuditCheckpoint, type CheckpointStore } from './audit-checkpoints.js';
import { hashRecord, keyBeside, verifyAuditLog, type AuditRecord, type AuditSink } from './audit-log.js';
import { localAuditSigner } from './audit-signer.js';
import { canonicalJson } from '../core/canonical-json.js';
import { DynamoCaseStore, DynamoRecordTable } from './dynamo-case-store.js';
import { AuditRecordOverwriteError, type RecordTable } from './record-table.js';
import { SqliteCaseStore, SqliteRecordTable } from './sqlite-case-store.js';
import type { DocumentCaseStore } from './document-case-store.js';
import { AUDIT_CHAIN, auditKey } from './table-audit-trail.js';

let sim: RunningSimServer;
beforeAll(async () => {
  sim = await startSimServer({ services: [new DynamoDbSimService()] });
});
afterAll(async () => {
  await sim.close();
});

const keyHome = mkdtempSync(join(tmpdir(), 'cordon-trail-key-'));
const signer = localAuditSigner(keyHome);
const key = keyBeside(join(keyHome, 'audit.jsonl'))!;

/** The checkpoint store of a test: the Object Lock bucket's stand-in (write-once). */
class Checkpoints implements CheckpointStore {
  readonly all: AuditCheckpoint[] = [];
  async put(c: AuditCheckpoint) {
    this.all.push(structuredClone(c));
  }
  async list() {
    return structuredClone(this.all);
  }
}

/** An insider's hand on the table, below Cordon's code: deletes or rewrites an item directly. */
interface Backend {
  stores: [DocumentCaseStore, DocumentCaseStore];
  table: RecordTable;
  remove(seq: number): Promise<void>;
  replace(record: AuditRecord): Promise<void>;
}

let tables = 0;
async function dynamo(): Promise<Backend> {
  const tableName = `cordon-audit-${++tables}`;
  const client = () => new DynamoDBClient({ endpoint: sim.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDSIMULATED', secretAccessKey: 'simulated' }, maxAttempts: 1 });
  const raw = client();
  await DynamoCaseStore.createTable(raw, tableName);
  const itemKey = (seq: number) => ({ pk: { S: `INC#${AUDIT_CHAIN}` }, sk: { S: `AUDIT#${auditKey(seq)}` } });
  return {
    stores: [new DynamoCaseStore({ client: client(), tableName }), new DynamoCaseStore({ client: client(), tableName })],
    table: new DynamoRecordTable(client(), tableName),
    remove: async (seq) => void (await raw.send(new DeleteItemCommand({ TableName: tableName, Key: itemKey(seq) }))),
    replace: async (r) => void (await raw.send(new PutItemCommand({ TableName: tableName, Item: { ...itemKey(r.seq), doc: { S: JSON.stringify(r) }, ver: { N: '9' } } }))),
  };
}
async function sqlite(): Promise<Backend> {
  const path = join(mkdtempSync(join(tmpdir(), 'cordon-trail-')), 'cordon.db');
  const { DatabaseSync } = await import('node:sqlite');
  const db = () => new DatabaseSync(path);
  return {
    stores: [new SqliteCaseStore(path), new SqliteCaseStore(path)],
    table: new SqliteRecordTable(path),
    remove: async (seq) => void db().prepare('DELETE FROM records WHERE kind = ? AND incident = ? AND key = ?').run('audit', AUDIT_CHAIN, auditKey(seq)),
    replace: async (r) => void db().prepare('UPDATE records SET body = ? WHERE kind = ? AND incident = ? AND key = ?').run(JSON.stringify(r), 'audit', AUDIT_CHAIN, auditKey(r.seq)),
  };
}

/** Writes the chain as audit.jsonl, so the same verifier that checks local logs checks it. */
function exported(records: readonly AuditRecord[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cordon-trail-export-')), 'audit.jsonl');
  writeFileSync(file, records.map((r) => `${canonicalJson(r)}\n`).join(''));
  return file;
}

describe.each([
  ['DynamoDB (the cloud)', dynamo],
  ['SQLite', sqlite],
])('TableAuditTrail on %s', (_name, open) => {
  it('keeps ONE signed chain for many function instances appending at once', async () => {
    const { stores: [a, b] } = await open();
    const mirrored: AuditRecord[] = [];
    const sink: AuditSink = { name: 'memory', write: async (r) => void mirrored.push(r) };
    const trails = [a.auditTrail({ signer, sinks: [sink] }), b.auditTrail({ signer, sinks: [sink] })];
    const appends = Array.from({ length: 40 }, (_, i) => trails[i % 2]!.append({ incident: 'inc-0123456789abcdef', event: 'step.end', data: { i } }));
    const written = await Promise.all(appends);
    const chain = await trails[0]!.records();
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(written.map((r) => r.seq)).size).toBe(40);
    expect(chain.map((r) => (r.data as { i: number }).i).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(verifyAuditLog(exported(chain), { key })).toMatchObject({ ok: true, records: 40 });
    expect(mirrored).toHaveLength(40);
    await a.close();
    await b.close();
  });

  it('an audit item cannot be overwritten through the store (create-only), and a racing writer chains after it', async () => {
    const { stores: [a], table } = await open();
    const trail = a.auditTrail({ signer });
    const first = await trail.append({ incident: null, event: 'ingest', data: { i: 1 } });
    const forged = { ...first, data: { i: 99 } };
    await expect(table.mutate<AuditRecord>('audit', AUDIT_CHAIN, auditKey(1), () => ({ body: forged }))).rejects.toBeInstanceOf(AuditRecordOverwriteError);
    expect((await a.auditRecords())[0]).toEqual(first);
    // Twin: the same mutation on a kind that is not create-only replaces the document.
    await table.mutate('step', 'inc-0123456789abcdef', 's', () => ({ body: { v: 1 } }));
    expect((await table.mutate<{ v: number }>('step', 'inc-0123456789abcdef', 's', () => ({ body: { v: 2 } }))).changed).toBe(true);
    await a.close();
  });

  it('a changed record is caught by the verifier', async () => {
    const { stores: [a] } = await open();
    const trail = a.auditTrail({ signer });
    for (let i = 0; i < 3; i++) await trail.append({ incident: null, event: 'ingest', data: { i } });
    const chain = await trail.records();
    const forged = chain.map((r) => (r.seq === 2 ? { ...r, data: { i: 99 } } : r));
    expect(verifyAuditLog(exported(forged), { key })).toMatchObject({ ok: false, line: 2 });
    await a.close();
  });

  it('puts signed checkpoints aside; the comparison names a deleted and an altered item (even re-hashed and re-signed by a key holder)', async () => {
    const backend = await open();
    const checkpoints = new Checkpoints();
    const trail = backend.stores[0].auditTrail({ signer, checkpoints, checkpointEvery: 4 });
    for (let i = 0; i < 10; i++) await trail.append({ incident: null, event: 'step.end', data: { i } });
    expect(checkpoints.all.map((c) => [c.from, c.to])).toEqual([
      [1, 4],
      [5, 8],
    ]);
    expect(await trail.checkpoint()).toBe(2); // the tail, 9-10 (a scheduled checkpoint)
    expect(compareWithCheckpoints(await trail.records(), await checkpoints.list(), key)).toMatchObject({ ok: true, covered: 10, missing: [], altered: [], extra: [] });

    const chain = await trail.records();
    await backend.remove(3);
    // Altered by someone who holds the key: content, hash and signature all consistent.
    const edited = { ...chain[5]!, data: { i: 'rewritten' } };
    const { hash: _h, sig: _s, ...body } = edited;
    const rehashed = { ...body, hash: hashRecord(body) };
    await backend.replace({ ...rehashed, sig: await signer.sign(rehashed.hash) });
    const result = compareWithCheckpoints(await trail.records(), await checkpoints.list(), key);
    expect(result).toMatchObject({ ok: false, missing: [3], altered: [6], extra: [] });
    await backend.stores[0].close();
  });
});

describe('checkpoint comparison', () => {
  it('names records added inside the covered range and refuses a checkpoint that does not verify', async () => {
    const records: AuditRecord[] = [];
    const { makeCheckpoint } = await import('./audit-checkpoints.js');
    const { chainRecord, signRecord } = await import('./audit-log.js');
    for (let i = 0; i < 3; i++) records.push(await signRecord(chainRecord(records[i - 1], { incident: null, event: 'notification', data: { i } }, new Date(0)), signer));
    const cp = await makeCheckpoint([records[0]!, records[2]!].map((r, i) => ({ ...r, seq: i + 1 })), signer, new Date(0));
    const result = compareWithCheckpoints(records, [cp, { ...cp, from: 10, to: 11 }], key);
    expect(result.badCheckpoints).toEqual(['10-11']);
    expect(result.altered).toEqual([2]);
    expect(result.extra).toEqual([]);
  });
});
