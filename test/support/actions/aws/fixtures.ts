import { afterEach } from 'vitest';
import type { AwsEstateSeed } from '../../../../functions/sim/aws/seed.js';
import { startAwsEstate, type AwsEstateHarness } from './harness.js';

/** A small, hand-written estate the wire-level tests share: one of everything the AWS actions touch. */
export const ACCOUNT = '111122223333';
export const INSTANCE = 'i-0abc1234def567890';
export const INSTANCE_ARN = `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${INSTANCE}`;
export const VPC = 'vpc-0a1b2c3d4e5f60718';
export const WEB_SG = 'sg-0123456789abcdef0';
export const ROLE = 'web-app';
export const USER = 'alice';
export const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
export const BUCKET = 'cordon-exposed-data';
export const SH_PRODUCT_ARN = 'arn:aws:securityhub:eu-west-1::product/aws/securityhub';
export const SH_FINDING_ID = `arn:aws:securityhub:eu-west-1:${ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.8/finding/0d4f7a4e-1c5b-4c1e-9a53-2f5b9c0e7d11`;

export const TEST_ESTATE: AwsEstateSeed = {
  account: ACCOUNT,
  region: 'eu-west-1',
  securityGroups: [{ id: WEB_SG, name: 'web', vpc: VPC, ingress: ['tcp:22 0.0.0.0/0', 'tcp:443 0.0.0.0/0', 'tcp:443 ::/0'] }],
  instances: [{ id: INSTANCE, vpc: VPC, securityGroups: [WEB_SG], volumes: 2, instanceProfile: ROLE, autoScalingGroup: 'web-asg', tags: { Name: 'web-1' } }],
  autoScalingGroups: [{ name: 'web-asg', targetGroups: [`arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/web/0123456789abcdef`] }],
  roles: [{ name: ROLE, policies: { 'read-config': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] } } }],
  users: [{ name: USER, accessKeys: [{ id: ACCESS_KEY, status: 'Active', lastUsedService: 's3' }], loginProfile: true }],
  buckets: [{ name: BUCKET, publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false }, tags: { team: 'data' } }],
  findings: [{ id: SH_FINDING_ID, productArn: SH_PRODUCT_ARN, title: 'S3.8 S3 Block Public Access setting should be enabled at the bucket-level' }],
};

/** Opens estates for a test file and closes them after each test. */
export function useEstates(): (seed?: AwsEstateSeed, options?: Parameters<typeof startAwsEstate>[1]) => Promise<AwsEstateHarness> {
  const opened: AwsEstateHarness[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((e) => e.close()));
  });
  return async (seed = TEST_ESTATE, options = {}) => {
    const estate = await startAwsEstate(seed, options);
    opened.push(estate);
    return estate;
  };
}
