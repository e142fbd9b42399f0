import { describe, expect, it } from 'vitest';
import type { ActionInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { ACCESS_KEY, ACCOUNT, BUCKET, INSTANCE_ARN, ROLE, SH_FINDING_ID, SH_PRODUCT_ARN, USER, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { mutatingCall } from '../../../test/support/actions/mutating-call.js';
import { AWS_ACTIONS } from './index.js';

/**
 * The fault matrix of issue 3, per action, on the call that changes something. The SDK makes 2
 * attempts (DEFAULT_MAX_ATTEMPTS): one throttle is absorbed inside the SDK; three surface as
 * `failed/Throttled` for the ASL Retry, whose next attempt then succeeds.
 */
const openEstate = useEstates();

interface Case {
  action: ActionModule<AwsContext>;
  input: ActionInput;
  /** An unknown target; none for an account (S3 Control acts on whichever account id it is given). */
  missing?: { input: ActionInput; code: string };
}

const finding = { id: SH_FINDING_ID, source: 'securityhub' as const, productArn: SH_PRODUCT_ARN };
const CASES: Record<keyof typeof AWS_ACTIONS, Case> = {
  'quarantine-instance': {
    action: AWS_ACTIONS['quarantine-instance'],
    input: actionInput('quarantine-instance', { type: 'AwsEc2Instance', id: INSTANCE_ARN }),
    missing: { input: actionInput('quarantine-instance', { type: 'AwsEc2Instance', id: 'i-0000000000000dead' }), code: 'InvalidInstanceID.NotFound' },
  },
  'snapshot-volumes': {
    action: AWS_ACTIONS['snapshot-volumes'],
    input: actionInput('snapshot-volumes', { type: 'AwsEc2Instance', id: INSTANCE_ARN }),
    missing: { input: actionInput('snapshot-volumes', { type: 'AwsEc2Instance', id: 'i-0000000000000dead' }), code: 'InvalidInstanceID.NotFound' },
  },
  'revoke-role-sessions': {
    action: AWS_ACTIONS['revoke-role-sessions'],
    input: actionInput('revoke-role-sessions', { type: 'AwsIamRole', id: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` }),
    missing: { input: actionInput('revoke-role-sessions', { type: 'AwsIamRole', id: `arn:aws:iam::${ACCOUNT}:role/ghost` }), code: 'NoSuchEntity' },
  },
  'deactivate-access-key': {
    action: AWS_ACTIONS['deactivate-access-key'],
    input: actionInput('deactivate-access-key', { type: 'AwsIamAccessKey', id: ACCESS_KEY }),
    missing: { input: actionInput('deactivate-access-key', { type: 'AwsIamAccessKey', id: 'AKIAGHOSTGHOSTGHOST0' }), code: 'NoSuchEntity' },
  },
  'block-s3-public-access': {
    action: AWS_ACTIONS['block-s3-public-access'],
    input: actionInput('block-s3-public-access', { type: 'AwsS3Bucket', id: `arn:aws:s3:::${BUCKET}` }),
    missing: { input: actionInput('block-s3-public-access', { type: 'AwsS3Bucket', id: 'arn:aws:s3:::no-such-bucket-here' }), code: 'NoSuchBucket' },
  },
  'block-account-public-access': {
    action: AWS_ACTIONS['block-account-public-access'],
    input: actionInput('block-account-public-access', { type: 'AwsAccount', id: `AWS::::Account:${ACCOUNT}` }),
  },
  'detach-from-autoscaling': {
    action: AWS_ACTIONS['detach-from-autoscaling'],
    input: actionInput('detach-from-autoscaling', { type: 'AwsEc2Instance', id: INSTANCE_ARN }),
    missing: { input: actionInput('detach-from-autoscaling', { type: 'AwsEc2Instance', id: 'i-0000000000000dead' }), code: 'InvalidInstanceID.NotFound' },
  },
  'isolate-subnet': {
    action: AWS_ACTIONS['isolate-subnet'],
    input: actionInput('isolate-subnet', { type: 'AwsEc2Instance', id: INSTANCE_ARN }),
    missing: { input: actionInput('isolate-subnet', { type: 'AwsEc2Instance', id: 'i-0000000000000dead' }), code: 'InvalidInstanceID.NotFound' },
  },
  'revoke-instance-credentials': {
    action: AWS_ACTIONS['revoke-instance-credentials'],
    input: actionInput('revoke-instance-credentials', { type: 'AwsEc2Instance', id: INSTANCE_ARN }),
    missing: { input: actionInput('revoke-instance-credentials', { type: 'AwsEc2Instance', id: 'i-0000000000000dead' }), code: 'InvalidInstanceID.NotFound' },
  },
  'revoke-user-credentials': {
    action: AWS_ACTIONS['revoke-user-credentials'],
    input: actionInput('revoke-user-credentials', { type: 'AwsIamUser', id: `arn:aws:iam::${ACCOUNT}:user/${USER}` }),
    missing: { input: actionInput('revoke-user-credentials', { type: 'AwsIamUser', id: `arn:aws:iam::${ACCOUNT}:user/ghost` }), code: 'NoSuchEntity' },
  },
  'update-finding': {
    action: AWS_ACTIONS['update-finding'],
    input: actionInput('update-finding', { type: 'finding', id: SH_FINDING_ID }, { finding }),
    missing: { input: actionInput('update-finding', { type: 'finding', id: 'ghost' }, { finding: { ...finding, id: 'ghost' } }), code: 'FindingNotFound' },
  },
};

describe.each(Object.entries(CASES))('%s fault matrix', (name, c) => {
  const mutating = mutatingCall(name as keyof typeof CASES);

  it('absorbs a single throttle inside the SDK', async () => {
    const estate = await openEstate(undefined, { faults: [{ operation: mutating, kind: 'throttle', times: 1 }] });
    const result = await c.action.run(c.input, estate.ctx(c.input.stepId));
    expect(result.status).toBe('succeeded');
    const calls = estate.server.callsFor(c.input.stepId).filter((call) => call.operation === mutating);
    expect(calls[0]).toMatchObject({ fault: 'throttle' });
    expect(calls.at(-1)).toMatchObject({ status: 200 });
  });

  it('surfaces throttle ×3 as failed/Throttled, and the next (ASL) attempt succeeds', async () => {
    const estate = await openEstate(undefined, { faults: [{ operation: mutating, kind: 'throttle', times: 3 }] });
    const first = await c.action.run(c.input, estate.ctx(c.input.stepId));
    expect(first).toMatchObject({ status: 'failed', errorClass: 'Throttled' });
    const retried = await c.action.run(c.input, estate.ctx(c.input.stepId));
    expect(retried.status).toBe('succeeded');
  });

  it('reports a permanent HTTP 500 as failed/Transient', async () => {
    const estate = await openEstate(undefined, { faults: [{ operation: mutating, kind: 'error' }] });
    const result = await c.action.run(c.input, estate.ctx(c.input.stepId));
    expect(result).toMatchObject({ status: 'failed', errorClass: 'Transient' });
  });

  it.skipIf(!c.missing)('reports an unknown target as failed/NotFound naming the AWS error code', async () => {
    const missing = c.missing as NonNullable<Case['missing']>;
    const estate = await openEstate();
    const result = await c.action.run(missing.input, estate.ctx(missing.input.stepId));
    expect(result).toMatchObject({ status: 'failed', errorClass: 'NotFound' });
    if (result.status === 'failed') expect(result.message).toContain(missing.code);
  });
});
