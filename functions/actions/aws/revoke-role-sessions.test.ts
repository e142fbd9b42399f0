import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { ACCOUNT, ROLE, TEST_ESTATE, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { REVOKE_POLICY_NAME, revokePolicyDocument, revokeRoleSessions } from './revoke-role-sessions.js';

const openEstate = useEstates();
const NOW = new Date('2024-06-01T12:00:00.000Z');
const input = actionInput('revoke-role-sessions', { type: 'AwsIamRole', id: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` }, { finding: { id: 'f-1', source: 'guardduty', observedAt: '2024-04-01T00:00:00.000Z' } });

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

  it('moves a cutoff another incident set to now, even when it is later than the finding (tokens issued since would stay valid)', async () => {
    const estate = await openEstate(undefined, { now: () => NOW });
    // Later than the finding (April), earlier than now: the old idempotency check called this done.
    estate.state.roles[ROLE]!.inlinePolicies[REVOKE_POLICY_NAME] = revokePolicyDocument(new Date('2024-05-01T00:00:00.000Z'), 'inc-other');
    const result = await revokeRoleSessions.run(input, estate.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'succeeded', before: { revokedBefore: '2024-05-01T00:00:00.000Z' }, after: { revokedBefore: NOW.toISOString() } });
  });

  it('never moves a cutoff earlier', async () => {
    const estate = await openEstate(undefined, { now: () => NOW });
    const later = new Date('2024-06-02T00:00:00.000Z');
    estate.state.roles[ROLE]!.inlinePolicies[REVOKE_POLICY_NAME] = revokePolicyDocument(later, 'inc-other');
    await revokeRoleSessions.run(input, estate.ctx(input.stepId));
    expect(estate.state.roles[ROLE]!.inlinePolicies[REVOKE_POLICY_NAME]).toContain(later.toISOString());
    expect(await revokeRoleSessions.run(input, estate.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'already-done' });
  });

  it('refuses service-linked and Identity Center roles with what to do instead, as a failure (the incident escalates)', async () => {
    const estate = await openEstate({ ...TEST_ESTATE, roles: [{ name: 'AWSServiceRoleForSupport' }, { name: 'AWSReservedSSO_Admin_0123456789abcdef' }] });
    for (const [name, guidance] of [
      ['AWSServiceRoleForSupport', /service-linked role: IAM lets only its AWS service change it/],
      ['AWSReservedSSO_Admin_0123456789abcdef', /Identity Center role.*delete the user's active sessions/],
    ] as const) {
      const refused = actionInput('revoke-role-sessions', { type: 'AwsIamRole', id: `arn:aws:iam::${ACCOUNT}:role/${name}` });
      const result = await revokeRoleSessions.run(refused, estate.ctx(refused.stepId));
      expect(result).toMatchObject({ status: 'failed', errorClass: 'InvalidTarget' });
      if (result.status === 'failed') expect(result.message).toMatch(guidance);
      expect(estate.server.callsFor(refused.stepId).map((c) => c.operation)).toEqual(['iam:GetRole']);
    }
  });
});
