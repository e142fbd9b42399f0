import { afterEach, describe, expect, it } from 'vitest';
import { revokeUserSessions } from './revoke-user-sessions.js';
import { NOW, USER_ID, USER_UPN, actionInput, startAzureSim, type AzureSim } from '../../../test/support/actions/azure/harness.js';

let sim: AzureSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('revoke-user-sessions against the simulated estate', () => {
  it.each([
    ['object id', USER_ID],
    ['UPN', USER_UPN],
  ])('revokes the sessions of a user addressed by %s', async (_, id) => {
    sim = await startAzureSim();
    const input = actionInput('revoke-user-sessions', { type: 'Microsoft.Graph/users', id });
    const result = await revokeUserSessions.run(input, sim.ctx(input.stepId));
    expect(result).toMatchObject({
      status: 'succeeded',
      before: { id: USER_ID, signInSessionsValidFromDateTime: '2025-01-10T08:00:00Z' },
      after: { id: USER_ID, signInSessionsValidFromDateTime: '2025-03-01T12:00:00Z' },
    });
    expect(result.status === 'succeeded' && result.evidence[0]).toMatchObject({ kind: 'session-revocation', of: USER_ID, takenAt: NOW.toISOString() });
    expect(sim.state.users.get(USER_ID.toLowerCase())?.revocations).toEqual([NOW.toISOString()]);
    expect(sim.server.calls.map((c) => c.operation)).toEqual(['graph:getUser', 'graph:revokeSignInSessions', 'graph:getUser']);
    expect(sim.server.calls.every((c) => c.step === input.stepId)).toBe(true);
  });

  it('skips already-done once sessions were revoked after the finding was observed (no second revoke)', async () => {
    sim = await startAzureSim();
    const input = actionInput('revoke-user-sessions', { type: 'Microsoft.Graph/users', id: USER_ID });
    await revokeUserSessions.run(input, sim.ctx('first'));
    expect(await revokeUserSessions.run(input, sim.ctx('second'))).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(sim.server.callsFor('second').map((c) => c.operation)).toEqual(['graph:getUser']);
    expect(sim.state.users.get(USER_ID.toLowerCase())?.revocations).toHaveLength(1);
  });

  it('revokes again when the finding carries no observedAt (repeatable, documented)', async () => {
    sim = await startAzureSim();
    const input = actionInput('revoke-user-sessions', { type: 'Microsoft.Graph/users', id: USER_ID }, { finding: { id: 'f', source: 'defender' } });
    await revokeUserSessions.run(input, sim.ctx('first'));
    expect((await revokeUserSessions.run(input, sim.ctx('second'))).status).toBe('succeeded');
    expect(sim.state.users.get(USER_ID.toLowerCase())?.revocations).toHaveLength(2);
  });
});
