import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import { rotateStorageKeys } from './rotate-storage-keys.js';
import { ACCOUNT_ID, actionInput, startAzureSim, type AzureSim } from '../../../test/support/actions/azure/harness.js';

let sim: AzureSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const account = { type: 'Microsoft.Storage/storageAccounts', id: ACCOUNT_ID };

describe('rotate-storage-keys against the simulated estate', () => {
  it('regenerates both keys and disables shared-key access through @azure/arm-storage, recording no key', async () => {
    sim = await startAzureSim();
    const old = sim.state.storageAccounts.get(ACCOUNT_ID.toLowerCase())?.keys.map((k) => k.value);
    const input = actionInput('rotate-storage-keys', account);
    const result = await rotateStorageKeys.run(input, sim.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'succeeded', before: { allowSharedKeyAccess: null, keyCreationTime: { key1: '2019-01-01T00:00:00.000Z' } }, after: { allowSharedKeyAccess: false } });
    const sa = sim.state.storageAccounts.get(ACCOUNT_ID.toLowerCase());
    expect(sa?.keys.map((k) => k.value).filter((v) => old?.includes(v))).toEqual([]);
    expect(sa?.allowSharedKeyAccess).toBe(false);
    expect(sim.server.calls.map((c) => c.operation)).toEqual([
      'Microsoft.Storage/storageAccounts/read',
      'Microsoft.Storage/storageAccounts/regenerateKey/action',
      'Microsoft.Storage/storageAccounts/regenerateKey/action',
      'Microsoft.Storage/storageAccounts/write',
      'Microsoft.Storage/storageAccounts/read',
    ]);
    expect(JSON.stringify(result)).not.toContain(sa?.keys[0]?.value ?? 'never');
    // Keys made after the finding are already new: a second run changes nothing.
    expect(await rotateStorageKeys.run(input, sim.ctx('again'))).toMatchObject({ status: 'skipped', reason: 'already-done' });
  });

  it('is behind approval and only for storage reached by key or SAS', () => {
    const spec = ACTION_CATALOG['rotate-storage-keys'];
    expect(spec.approval).toBe('required');
    expect(spec.unfitTarget?.({ ...account, details: { authentication: 'Shared access signature (SAS)' } })).toBeUndefined();
    expect(spec.unfitTarget?.({ ...account, details: { authentication: 'Anonymous' } })).toMatch(/not show .* key or SAS/);
  });

  it('release turns shared-key access back on; the new keys stay', async () => {
    sim = await startAzureSim();
    const input = actionInput('rotate-storage-keys', account);
    const result = await rotateStorageKeys.run(input, sim.ctx(input.stepId));
    if (result.status !== 'succeeded' || !rotateStorageKeys.release) throw new Error('expected a releasable success');
    expect((await rotateStorageKeys.release({ ...input, before: result.before, after: result.after }, sim.ctx('release'))).status).toBe('succeeded');
    expect(sim.state.storageAccounts.get(ACCOUNT_ID.toLowerCase())?.allowSharedKeyAccess).toBe(true);
  });
});
