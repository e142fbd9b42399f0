import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { ACCOUNT, ACCESS_KEY, INSTANCE, INSTANCE_ARN, ROLE, TEST_ESTATE, USER, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { blockAccountPublicAccess } from './block-account-public-access.js';
import { detachFromAutoScaling } from './detach-from-autoscaling.js';
import { instancePolicyName, revokeInstanceCredentials } from './revoke-instance-credentials.js';
import { revokeUserCredentials } from './revoke-user-credentials.js';
import { REVOKE_POLICY_NAME, revokePolicyDocument } from './token-cutoff.js';

/** The AWS actions of issue 12 against the simulated estate, through the real SDK clients. */
const openEstate = useEstates();
const NOW = new Date('2024-06-01T12:00:00.000Z');

describe('detach-from-autoscaling', () => {
  const input = actionInput('detach-from-autoscaling', { type: 'AwsEc2Instance', id: INSTANCE_ARN });

  it('puts the instance in Standby with scale-in protection, without lowering desired capacity, and records its state', async () => {
    const estate = await openEstate();
    const result = await detachFromAutoScaling.run(input, estate.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'succeeded', before: { autoScalingGroup: 'web-asg', lifecycleState: 'InService', protectedFromScaleIn: false } });
    const group = estate.state.autoScalingGroups['web-asg']!;
    expect(group.instances[INSTANCE]).toMatchObject({ lifecycleState: 'Standby', protectedFromScaleIn: true });
    expect(group.desiredCapacity).toBe(1);
    if (result.status === 'succeeded') expect(result.summary).toMatch(/out of arn:aws:elasticloadbalancing/);
    expect(await detachFromAutoScaling.run(input, estate.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'already-done' });
    const released = await detachFromAutoScaling.release!({ ...input, before: result.status === 'succeeded' ? result.before : null, after: null }, estate.ctx(input.stepId));
    expect(released.status).toBe('succeeded');
    expect(group.instances[INSTANCE]).toMatchObject({ lifecycleState: 'InService', protectedFromScaleIn: false });
  });

  it('an instance in no group: not-applicable, nothing changed', async () => {
    const estate = await openEstate({ ...TEST_ESTATE, instances: [{ ...TEST_ESTATE.instances![0]!, autoScalingGroup: undefined }], autoScalingGroups: [] });
    expect(await detachFromAutoScaling.run(input, estate.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'not-applicable' });
  });
});

describe('revoke-instance-credentials', () => {
  const input = actionInput('revoke-instance-credentials', { type: 'AwsEc2Instance', id: INSTANCE_ARN });

  it('denies every credential of this instance on its role and disassociates the profile; release undoes both', async () => {
    const estate = await openEstate(undefined, { now: () => NOW });
    const result = await revokeInstanceCredentials.run(input, estate.ctx(input.stepId));
    expect(result.status).toBe('succeeded');
    const role = estate.state.roles[ROLE]!;
    const policy = JSON.parse(role.inlinePolicies[instancePolicyName(INSTANCE)]!) as { Statement: unknown[] };
    expect(policy.Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { ArnEquals: { 'ec2:SourceInstanceARN': INSTANCE_ARN } } })]);
    // Only this instance: no time cutoff that would cut the role's whole fleet.
    expect(role.inlinePolicies[REVOKE_POLICY_NAME]).toBeUndefined();
    expect(estate.state.instances[INSTANCE]!.instanceProfile).toBeUndefined();
    expect(await revokeInstanceCredentials.run(input, estate.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'already-done' });
    if (result.status !== 'succeeded') return;
    const released = await revokeInstanceCredentials.release!({ ...input, before: result.before, after: result.after }, estate.ctx(input.stepId));
    expect(released.status).toBe('succeeded');
    expect(role.inlinePolicies[instancePolicyName(INSTANCE)]).toBeUndefined();
    expect(estate.state.instances[INSTANCE]!.instanceProfile).toMatchObject({ role: ROLE });
  });

  it('an instance without a profile: not-applicable', async () => {
    const estate = await openEstate({ ...TEST_ESTATE, instances: [{ ...TEST_ESTATE.instances![0]!, instanceProfile: undefined }] });
    expect(await revokeInstanceCredentials.run(input, estate.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'not-applicable' });
  });
});

describe('revoke-user-credentials', () => {
  const input = actionInput('revoke-user-credentials', { type: 'AwsIamUser', id: `arn:aws:iam::${ACCOUNT}:user/${USER}` });

  it('denies sessions issued before now, sets every active key Inactive and removes the console password, recording all of it', async () => {
    const estate = await openEstate(undefined, { now: () => NOW });
    const result = await revokeUserCredentials.run(input, estate.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'succeeded', before: { accessKeys: [{ id: ACCESS_KEY, status: 'Active' }], loginProfile: expect.objectContaining({ passwordResetRequired: false }), policy: null } });
    const user = estate.state.users[USER]!;
    expect(user.accessKeys.map((k) => k.status)).toEqual(['Inactive']);
    expect(user.loginProfile).toBeUndefined();
    expect(user.inlinePolicies[REVOKE_POLICY_NAME]).toContain(NOW.toISOString());
    expect(await revokeUserCredentials.run(input, estate.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'already-done' });
    if (result.status !== 'succeeded') return;
    const released = await revokeUserCredentials.release!({ ...input, before: result.before, after: result.after }, estate.ctx(input.stepId));
    expect(released).toMatchObject({ status: 'succeeded', summary: expect.stringMatching(/console password was removed and cannot be restored/) });
    expect(user.accessKeys.map((k) => k.status)).toEqual(['Active']);
    expect(user.inlinePolicies[REVOKE_POLICY_NAME]).toBeUndefined();
  });

  it('moves a cutoff another incident set to now', async () => {
    const estate = await openEstate(undefined, { now: () => NOW });
    estate.state.users[USER]!.inlinePolicies[REVOKE_POLICY_NAME] = revokePolicyDocument(new Date('2024-05-01T00:00:00.000Z'), 'inc-other');
    await revokeUserCredentials.run(input, estate.ctx(input.stepId));
    expect(estate.state.users[USER]!.inlinePolicies[REVOKE_POLICY_NAME]).toContain(NOW.toISOString());
  });

  it('refuses the root user with guidance (a failure: the incident escalates)', async () => {
    const estate = await openEstate();
    const root = actionInput('revoke-user-credentials', { type: 'AwsAccount', id: `AWS::::Account:${ACCOUNT}` });
    const result = await revokeUserCredentials.run(root, estate.ctx(root.stepId));
    expect(result).toMatchObject({ status: 'failed', errorClass: 'InvalidTarget', message: expect.stringMatching(/root credentials .*account owner/) });
    expect(estate.server.calls).toEqual([]);
  });
});

describe('block-account-public-access', () => {
  const input = actionInput('block-account-public-access', { type: 'AwsAccount', id: `AWS::::Account:${ACCOUNT}` });

  it('turns on the four account-level settings over S3 Control, recording the previous configuration; release puts it back', async () => {
    const estate = await openEstate();
    const result = await blockAccountPublicAccess.run(input, estate.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'succeeded', before: { account: ACCOUNT, publicAccessBlock: null } });
    expect(estate.state.accountPublicAccessBlock).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(estate.server.callsFor(input.stepId).map((c) => c.operation)).toEqual(['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock']);
    expect(await blockAccountPublicAccess.run(input, estate.ctx(input.stepId))).toMatchObject({ status: 'skipped', reason: 'already-done' });
    if (result.status !== 'succeeded') return;
    expect((await blockAccountPublicAccess.release!({ ...input, before: result.before, after: result.after }, estate.ctx(input.stepId))).status).toBe('succeeded');
    expect(estate.state.accountPublicAccessBlock).toBeUndefined();
  });
});
