import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { ACCOUNT, ROLE, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { REVOKE_POLICY_NAME, revokePolicyDocument, revokeRoleSessions } from './revoke-role-sessions.js';

const openEstate = useEstates();
const NOW = new Date('2024-06-01T12:00:00.000Z');
const input = actionInput('revoke-role-sessions', { type: 'AwsIamRole', id: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` });

describe('revoke-role-sessions against the simulated estate', () => {
  it('puts the console-shaped AWSRevokeOlderSessions deny policy and keeps the role and its other policies', async () => {
    const estate = await openEstate(undefined, { now: () => NOW });
    const result = await revokeRoleSessions.run(input, estate.ctx(input.stepId));

    expect(result.status).toBe('succeeded');
    const role = estate.state.roles[ROLE]!;
    const policy = JSON.parse(role.inlinePolicies[REVOKE_POLICY_NAME]!) as { Statement: unknown[] };
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': NOW.toISOString() } } }),
    ]);
    expect(Object.keys(role.inlinePolicies).sort()).toEqual([REVOKE_POLICY_NAME, 'read-config']);
    expect(estate.server.callsFor(input.stepId).map((c) => c.operation)).toEqual(['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy']);
  });

  it('is idempotent for the same incident', async () => {
    const estate = await openEstate(undefined, { now: () => NOW });
    await revokeRoleSessions.run(input, estate.ctx(input.stepId));
    const snapshot = structuredClone(estate.state);
    const callsBefore = estate.server.calls.length;

    const second = await revokeRoleSessions.run(input, estate.ctx(input.stepId));

    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(estate.state).toEqual(snapshot);
    expect(estate.server.calls.slice(callsBefore).map((c) => c.operation)).not.toContain('iam:PutRolePolicy');
  });

  it('treats an existing revocation whose cutoff covers revokeBefore as done, and never moves a cutoff earlier', async () => {
    const estate = await openEstate(undefined, { now: () => NOW });
    const later = new Date('2024-06-02T00:00:00.000Z');
    estate.state.roles[ROLE]!.inlinePolicies[REVOKE_POLICY_NAME] = revokePolicyDocument(later, 'inc-other');

    const covered = await revokeRoleSessions.run({ ...input, params: { revokeBefore: '2024-06-01T10:00:00.000Z' } }, estate.ctx(input.stepId));
    expect(covered).toMatchObject({ status: 'skipped', reason: 'already-done' });

    const fresh = await revokeRoleSessions.run(input, estate.ctx(input.stepId));
    expect(fresh.status).toBe('succeeded');
    expect(estate.state.roles[ROLE]!.inlinePolicies[REVOKE_POLICY_NAME]).toContain(later.toISOString());
  });
});
