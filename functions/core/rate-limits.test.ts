import { describe, expect, it } from 'vitest';
import { RateLimitsSchema, TokenBucket, bucketFor, bucketKey, documentedEc2Bucket, tokenBucketLowerBoundMs } from './rate-limits.js';

describe('token bucket (injected clock, no waiting)', () => {
  it('allows a full bucket at once, then refills at the documented rate', () => {
    const b = new TokenBucket({ bucket: 3, refill: 2 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.waitMs(0)).toBe(500);
    expect(b.take(499)).toBe(false);
    expect(b.take(500)).toBe(true);
  });

  it('never holds more than its maximum', () => {
    const b = new TokenBucket({ bucket: 2, refill: 10 }, 0);
    expect(b.level(60_000)).toBe(2);
  });

  it('drains when the server says it is empty', () => {
    const b = new TokenBucket({ bucket: 5, refill: 1 }, 0);
    b.drain(0);
    expect(b.take(0)).toBe(false);
    expect(b.take(1000)).toBe(true);
  });
});

describe("EC2's documented buckets", () => {
  it('gives the per-API numbers the throttling page documents', () => {
    expect(documentedEc2Bucket('ec2:ModifyInstanceAttribute')).toEqual({ bucket: 50, refill: 5 });
    expect(documentedEc2Bucket('ec2:CreateTags')).toEqual({ bucket: 100, refill: 10 });
    expect(documentedEc2Bucket('ec2:DescribeHosts')).toEqual({ bucket: 100, refill: 20 });
    expect(documentedEc2Bucket('ec2:CreateSecurityGroup')).toEqual({ bucket: 200, refill: 10 });
    expect(documentedEc2Bucket('iam:GetRole')).toBeUndefined();
  });

  it('buckets an unfiltered, unpaginated heavy describe on its own', () => {
    expect(bucketKey('ec2:DescribeInstances', false)).toBe('ec2:DescribeInstances#unfiltered');
    expect(bucketKey('ec2:DescribeInstances', true)).toBe('ec2:DescribeInstances');
    expect(bucketKey('ec2:DescribeInstanceAttribute', false)).toBe('ec2:DescribeInstanceAttribute');
    expect(documentedEc2Bucket('ec2:DescribeInstances#unfiltered')).toEqual({ bucket: 50, refill: 10 });
  });

  it('lets the estate file override a bucket or drop the documented profile', () => {
    const config = RateLimitsSchema.parse({ buckets: { 'ec2:CreateTags': { bucket: 1, refill: 1 } } });
    expect(bucketFor(config, 'ec2:CreateTags')).toEqual({ bucket: 1, refill: 1 });
    expect(bucketFor(config, 'ec2:CreateSnapshots')).toEqual({ bucket: 100, refill: 5 });
    expect(bucketFor(RateLimitsSchema.parse({ profile: 'none' }), 'ec2:CreateSnapshots')).toBeUndefined();
    expect(RateLimitsSchema.safeParse({ buckets: { 'ec2:CreateTags': { bucket: 0, refill: 1 } } }).success).toBe(false);
  });
});

describe('token-bucket lower bound', () => {
  it('is the slowest bucket: (calls beyond a full bucket) ÷ refill', () => {
    const ms = tokenBucketLowerBoundMs({ 'ec2:ModifyInstanceAttribute': 100, 'ec2:DescribeInstances': 100, 'ec2:CreateTags': 150 }, documentedEc2Bucket);
    // ModifyInstanceAttribute: (100 − 50) ÷ 5 = 10 s; CreateTags (150 − 100) ÷ 10 = 5 s; DescribeInstances fits the bucket.
    expect(ms).toBe(10_000);
    expect(tokenBucketLowerBoundMs({ 'ec2:CreateTags': 10 }, documentedEc2Bucket)).toBe(0);
  });
});
