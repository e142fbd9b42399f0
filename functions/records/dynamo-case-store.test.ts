import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSimService } from '../../test/support/sim/dynamodb.js';
import { startSimServer, type RunningSimServer } from '../sim/server.js';
import { caseStoreContract } from '../../test/support/records/case-store.contract.js';
import { DynamoCaseStore } from './dynamo-case-store.js';

// The real DynamoDB client, over loopback, against the simulated estate's DynamoDB.
let sim: RunningSimServer;
let tables = 0;

beforeAll(async () => {
  sim = await startSimServer({ services: [new DynamoDbSimService()] });
});
afterAll(async () => {
  await sim.close();
});

function client(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: sim.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDSIMULATED', secretAccessKey: 'simulated' }, maxAttempts: 1 });
}

caseStoreContract('DynamoCaseStore', async () => {
  const tableName = `cordon-cases-${++tables}`;
  const c = client();
  await DynamoCaseStore.createTable(c, tableName);
  return { store: new DynamoCaseStore({ client: c, tableName }), openAgain: async () => new DynamoCaseStore({ client: client(), tableName }) };
});

describe('DynamoCaseStore on the wire', () => {
  it('claims with a conditional write the service refuses the second time', async () => {
    const tableName = `cordon-cases-${++tables}`;
    const c = client();
    await DynamoCaseStore.createTable(c, tableName);
    const store = new DynamoCaseStore({ client: c, tableName });
    const before = sim.calls.length;
    expect(await store.claimStep('inc-0123456789abcdef', 'step', { at: '2024-03-30T22:20:00.000Z', owner: 'x' })).toBe(true);
    expect(await store.claimStep('inc-0123456789abcdef', 'step', { at: '2024-03-30T22:20:00.000Z', owner: 'y' })).toBe(false);
    expect(sim.calls.slice(before).map((call) => call.operation)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:GetItem']);
  });

  it('retries a lost race on fresh data (ConditionalCheckFailedException)', async () => {
    const tableName = `cordon-cases-${++tables}`;
    const c = client();
    await DynamoCaseStore.createTable(c, tableName);
    const stores = [0, 1, 2, 3, 4].map(() => new DynamoCaseStore({ client: client(), tableName }));
    const incident = 'inc-0123456789abcdef';
    const clock = { regime: 'gdpr-art33' as const, awareAt: '2024-03-30T22:20:00.000Z', deadline: '2024-04-02T22:20:00.000Z' };
    await stores[0]?.openClock(incident, clock, { openedAt: clock.awareAt });
    const before = sim.calls.length;
    await Promise.all(stores.flatMap((s, i) => [1, 2, 3].map((n) => s.recordReminder(incident, 'gdpr-art33', i * 10 + n, clock.awareAt))));
    const sent = (await stores[0]?.getClock(incident, 'gdpr-art33'))?.remindersSent ?? [];
    expect(sent).toHaveLength(15);
    const conflicts = sim.calls.slice(before).filter((call) => call.operation === 'dynamodb:PutItem' && call.status === 400);
    expect(conflicts.length).toBeGreaterThan(0);
  });
});
