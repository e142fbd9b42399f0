import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_CATALOG } from '../../core/actions/catalog.js';
import { disableUser } from './disable-user.js';
import { DEFAULT_SEED, USER_ID, USER_UPN, actionInput, startAzureSim, type AzureSim } from '../../../test/support/actions/azure/harness.js';

let sim: AzureSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const user = { type: 'Microsoft.Graph/users', id: USER_UPN };

describe('disable-user against the simulated estate', () => {
  it('sets accountEnabled false, recording the previous value; a second run is already-done', async () => {
    sim = await startAzureSim();
    const input = actionInput('disable-user', user);
    const result = await disableUser.run(input, sim.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'succeeded', before: { id: USER_ID, accountEnabled: true }, after: { accountEnabled: false } });
    expect(sim.state.users.get(USER_ID.toLowerCase())?.accountEnabled).toBe(false);
    expect(sim.server.calls.map((c) => c.operation)).toEqual(['graph:getUser', 'graph:updateUser', 'graph:getUser']);
    expect(await disableUser.run(input, sim.ctx('again'))).toMatchObject({ status: 'skipped', reason: 'already-done', before: { accountEnabled: false } });
  });

  it('a user in a privileged admin role: Graph refuses, the step fails AccessDenied with guidance (the incident escalates)', async () => {
    sim = await startAzureSim({ seed: { ...DEFAULT_SEED, users: [{ id: USER_ID, userPrincipalName: USER_UPN, roles: ['Global Administrator'] }] } });
    const input = actionInput('disable-user', user);
    const result = await disableUser.run(input, sim.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'failed', errorClass: 'AccessDenied' });
    expect(result.status === 'failed' && result.message).toMatch(/privileged administrator role.*Block sign-in/);
    expect(sim.state.users.get(USER_ID.toLowerCase())?.accountEnabled).toBe(true);
  });

  it('release enables the account again from the recorded before-state', async () => {
    sim = await startAzureSim();
    const input = actionInput('disable-user', user);
    const result = await disableUser.run(input, sim.ctx(input.stepId));
    if (result.status !== 'succeeded' || !disableUser.release) throw new Error('expected a releasable success');
    const released = await disableUser.release({ ...input, before: result.before, after: result.after }, sim.ctx('release'));
    expect(released.status).toBe('succeeded');
    expect(sim.state.users.get(USER_ID.toLowerCase())?.accountEnabled).toBe(true);
  });

  it('targets only users the alert marks compromised', () => {
    const unfit = ACTION_CATALOG['disable-user'].unfitTarget;
    expect(unfit?.({ type: 'Microsoft.Graph/users', id: USER_UPN, details: { compromised: 'true' } })).toBeUndefined();
    expect(unfit?.({ type: 'Microsoft.Graph/users', id: USER_UPN })).toMatch(/does not mark .* compromised/);
  });
});
