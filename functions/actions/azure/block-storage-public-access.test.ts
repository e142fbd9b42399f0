import { afterEach, describe, expect, it } from 'vitest';
import { blockStoragePublicAccess } from './block-storage-public-access.js';
import { ACCOUNT_ID, actionInput, startAzureSim, type AzureSim } from '../../../test/support/actions/azure/harness.js';

const input = actionInput('block-storage-public-access', { type: 'Microsoft.Storage/storageAccounts', id: ACCOUNT_ID });
let sim: AzureSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('block-storage-public-access against the simulated estate', () => {
  it('sets allowBlobPublicAccess false and records the previous value', async () => {
    sim = await startAzureSim();
    const result = await blockStoragePublicAccess.run(input, sim.ctx(input.stepId));
    expect(result).toMatchObject({
      status: 'succeeded',
      before: { id: ACCOUNT_ID, allowBlobPublicAccess: true },
      after: { id: ACCOUNT_ID, allowBlobPublicAccess: false },
    });
    expect(sim.state.storageAccounts.get(ACCOUNT_ID.toLowerCase())?.allowBlobPublicAccess).toBe(false);
    expect(sim.server.calls.map((c) => c.operation)).toEqual(['Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/write', 'Microsoft.Storage/storageAccounts/read']);
  });

  it('records null when the account never set the property', async () => {
    sim = await startAzureSim({ seed: { storageAccounts: [{ id: ACCOUNT_ID }] } });
    expect(await blockStoragePublicAccess.run(input, sim.ctx(input.stepId))).toMatchObject({ status: 'succeeded', before: { allowBlobPublicAccess: null } });
  });

  it('is idempotent: a second run is skipped already-done with no write', async () => {
    sim = await startAzureSim();
    await blockStoragePublicAccess.run(input, sim.ctx('first'));
    expect(await blockStoragePublicAccess.run(input, sim.ctx('second'))).toMatchObject({ status: 'skipped', reason: 'already-done', before: { allowBlobPublicAccess: false } });
    expect(sim.server.callsFor('second').map((c) => c.operation)).toEqual(['Microsoft.Storage/storageAccounts/read']);
  });
});
