import { describe, expect, it } from 'vitest';
import { actionInput } from '../../../test/support/actions/aws/harness.js';
import { BUCKET, TEST_ESTATE, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { blockS3PublicAccess } from './block-s3-public-access.js';

const openEstate = useEstates();
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

describe('block-s3-public-access against the simulated estate', () => {
  it('turns all four settings on and records the previous configuration', async () => {
    const estate = await openEstate();
    const input = actionInput('block-s3-public-access', { type: 'AwsS3Bucket', id: `arn:aws:s3:::${BUCKET}` });
    const result = await blockS3PublicAccess.run(input, estate.ctx(input.stepId));

    expect(result).toMatchObject({
      status: 'succeeded',
      before: { bucket: BUCKET, publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } },
    });
    expect(estate.state.buckets[BUCKET]!.publicAccessBlock).toEqual(ALL_ON);
    expect(estate.server.callsFor(input.stepId).map((c) => c.operation)).toEqual(['s3:GetPublicAccessBlock', 's3:PutPublicAccessBlock']);
  });

  it('accepts a bare bucket name and a bucket with no configuration at all', async () => {
    const estate = await openEstate({ ...TEST_ESTATE, buckets: [{ name: 'bare-bucket' }] });
    const input = actionInput('block-s3-public-access', { type: 'AwsS3Bucket', id: 'bare-bucket' });
    const result = await blockS3PublicAccess.run(input, estate.ctx(input.stepId));
    expect(result).toMatchObject({ status: 'succeeded', before: { publicAccessBlock: null } });
    expect(estate.state.buckets['bare-bucket']!.publicAccessBlock).toEqual(ALL_ON);
  });

  it('is idempotent: all four already true is already-done', async () => {
    const estate = await openEstate();
    const input = actionInput('block-s3-public-access', { type: 'AwsS3Bucket', id: BUCKET });
    await blockS3PublicAccess.run(input, estate.ctx(input.stepId));
    const callsBefore = estate.server.calls.length;
    const second = await blockS3PublicAccess.run(input, estate.ctx(input.stepId));
    expect(second).toMatchObject({ status: 'skipped', reason: 'already-done' });
    expect(estate.server.calls.slice(callsBefore).map((c) => c.operation)).toEqual(['s3:GetPublicAccessBlock']);
  });
});
