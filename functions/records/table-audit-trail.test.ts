import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSimService } from '../../test/support/sim/dynamodb.js';
import { startSimServer, type RunningSimServer } from '../sim/server.js';
import { verifyAuditLog, type AuditRecord, type AuditSink } from './audit-log.js';
import { canonicalJson } from '../core/canonical-json.js';
import { DynamoCaseStore } from './dynamo-case-store.js';
import { SqliteCaseStore } from './sqlite-case-store.js';
import type { DocumentCaseStore } from './document-case-store.js';

let sim: RunningSimServer;
beforeAll(async () => {
  sim = await startSimServer({ services: [new DynamoDbSimService()] });
});
afterAll(async () => {
  await sim.close();
});

let tables = 0;
async function dynamoStores(): Promise<[DocumentCaseStore, DocumentCaseStore]> {
  const tableName = `cordon-audit-${++tables}`;
  const client = () => new DynamoDBClient({ endpoint: sim.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDSIMULATED', secretAccessKey: 'simulated' }, maxAttempts: 1 });
  await DynamoCaseStore.createTable(client(), tableName);
  return [new DynamoCaseStore({ client: client(), tableName }), new DynamoCaseStore({ client: client(), tableName })];
}
async function sqliteStores(): Promise<[DocumentCaseStore, DocumentCaseStore]> {
  const path = join(mkdtempSync(join(tmpdir(), 'cordon-trail-')), 'cordon.db');
  return [new SqliteCaseStore(path), new SqliteCaseStore(path)];
}

/** Writes the chain as audit.jsonl, so the same verifier that checks local logs checks it. */
function exported(records: readonly AuditRecord[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cordon-trail-export-')), 'audit.jsonl');
  writeFileSync(file, records.map((r) => `${canonicalJson(r)}\n`).join(''));
  return file;
}

describe.each([
  ['DynamoDB (the cloud)', dynamoStores],
  ['SQLite', sqliteStores],
])('TableAuditTrail on %s', (_name, open) => {
  it('keeps ONE chain for many function instances appending at once', async () => {
    const [a, b] = await open();
    const mirrored: AuditRecord[] = [];
    const sink: AuditSink = { name: 'memory', write: async (r) => void mirrored.push(r) };
    const trails = [a.auditTrail({ sinks: [sink] }), b.auditTrail({ sinks: [sink] })];
    const appends = Array.from({ length: 40 }, (_, i) => trails[i % 2]!.append({ incident: 'inc-0123456789abcdef', event: 'step.end', data: { i } }));
    const written = await Promise.all(appends);
    const chain = await trails[0]!.records();
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(written.map((r) => r.seq)).size).toBe(40);
    expect(chain.map((r) => (r.data as { i: number }).i).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(verifyAuditLog(exported(chain))).toMatchObject({ ok: true, records: 40 });
    expect(mirrored).toHaveLength(40);
    await a.close();
    await b.close();
  });

  it('a changed record is caught by the verifier', async () => {
    const [a, b] = await open();
    const trail = a.auditTrail();
    for (let i = 0; i < 3; i++) await trail.append({ incident: null, event: 'ingest', data: { i } });
    const chain = await trail.records();
    const forged = chain.map((r) => (r.seq === 2 ? { ...r, data: { i: 99 } } : r));
    expect(verifyAuditLog(exported(forged))).toMatchObject({ ok: false, line: 2 });
    await a.close();
    await b.close();
  });
});
