import { GetBucketTaggingCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { DeleteSnapshotCommand, DescribeInstancesCommand, DescribeLockedSnapshotsCommand, LockSnapshotCommand, UnlockSnapshotCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/model.js';
import { classifyAwsError } from '../../adapters/aws/errors.js';
import { ACCOUNT, BUCKET, INSTANCE, TEST_ESTATE, useEstates } from '../../../test/support/actions/aws/fixtures.js';
import { errorOf } from '../../../test/support/actions/aws/harness.js';
import { AwsEstateSeedSchema, createAwsEstate, seedFromFinding } from './seed.js';

const openEstate = useEstates();

describe('AWS wire protocols of the simulated estate, read by the real SDK', () => {
  it('answers EC2 DescribeInstances with the instance, its volumes, interfaces and tags', async () => {
    const estate = await openEstate();
    const out = await estate.ctx('s').clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [INSTANCE] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance).toMatchObject({ InstanceId: INSTANCE, State: { Name: 'running', Code: 16 }, Tags: [{ Key: 'Name', Value: 'web-1' }] });
    expect(instance?.BlockDeviceMappings?.map((m) => m.DeviceName)).toEqual(['/dev/xvda', '/dev/sdf']);
    expect(instance?.NetworkInterfaces?.[0]?.Groups?.[0]?.GroupName).toBe('web');
  });

  it('returns the real error shapes, which the SDK parses into their codes', async () => {
    const estate = await openEstate(undefined, { faults: [{ operation: 'securityhub:BatchUpdateFindings', kind: 'throttle' }], });
    const { clients } = estate.ctx('s');
    const cases: [Promise<unknown>, string, number][] = [
      [clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })), 'InvalidInstanceID.NotFound', 400],
      [clients.iam.send(new GetRoleCommand({ RoleName: 'ghost' })), 'NoSuchEntity', 404],
      [clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: 'ghost-bucket' })), 'NoSuchBucket', 404],
      [clients.s3.send(new GetBucketTaggingCommand({ Bucket: 'ghost-bucket' })), 'NoSuchBucket', 404],
      [clients.securityHub.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: [{ Id: 'x', ProductArn: 'y' }] })), 'TooManyRequestsException', 429],
    ];
    for (const [call, code, status] of cases) {
      const e = await errorOf(call);
      expect(classifyAwsError(e)).toMatchObject({ code });
      expect((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(status);
    }
  });

  it('answers STS GetCallerIdentity and S3 GetBucketTagging', async () => {
    const estate = await openEstate();
    const { clients } = estate.ctx('s');
    expect(await clients.sts.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: ACCOUNT });
    expect((await clients.s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))).TagSet).toEqual([{ Key: 'team', Value: 'data' }]);
    expect(estate.server.calls.map((c) => c.operation)).toEqual(['sts:GetCallerIdentity', 's3:GetBucketTagging']);
  });
});

describe('estate seeding', () => {
  it('reads hand-written rule shorthand and fills plausible defaults', () => {
    const state = createAwsEstate({
      securityGroups: [{ id: 'sg-0aa', vpc: 'vpc-1', ingress: ['tcp:22 0.0.0.0/0', 'tcp:8000-8080 ::/0', '-1 sg-0bb'] }],
      instances: [{ id: 'i-0abc', securityGroups: ['sg-0aa'] }],
    });
    expect(state.securityGroups['sg-0aa']!.ingress).toEqual([
      { protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' },
      { protocol: 'tcp', fromPort: 8000, toPort: 8080, cidrIpv6: '::/0' },
      { protocol: '-1', groupId: 'sg-0bb' },
    ]);
    expect(state.instances['i-0abc']).toMatchObject({ vpcId: 'vpc-1', volumes: [{ device: '/dev/xvda' }, { device: '/dev/sdf' }] });
  });

  it('accepts its own parsed output again (an estate file parsed up front)', () => {
    const parsed = AwsEstateSeedSchema.parse({ securityGroups: [{ id: 'sg-0aa', vpc: 'vpc-1', ingress: ['tcp:22 0.0.0.0/0'] }] });
    expect(createAwsEstate(parsed).securityGroups['sg-0aa']!.ingress).toEqual([{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }]);
  });

  it('rejects a bad rule naming the field', () => {
    const parsed = AwsEstateSeedSchema.safeParse({ securityGroups: [{ id: 'sg-1', ingress: ['ssh from anywhere'] }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['securityGroups', 0, 'ingress', 0], message: expect.stringContaining("e.g. 'tcp:22 0.0.0.0/0'") });
  });

  it('derives the resources a finding implies, keeping GuardDuty sample placeholders', () => {
    const finding: Finding = {
      id: 'f-sample',
      source: 'securityhub',
      cloud: 'aws',
      type: 'TTPs/Initial Access',
      title: 'sample',
      severity: 'high',
      account: ACCOUNT,
      region: 'us-east-1',
      observedAt: '2024-06-01T12:00:00.000Z',
      sample: true,
      productArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
      resources: [
        { type: 'AwsEc2Instance', id: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-99999999`, tags: { env: 'prod' }, details: { vpcId: 'GeneratedFindingVPCId', subnetId: 'GeneratedFindingSubnetId' } },
        { type: 'AwsIamAccessKey', id: 'ASIASAMPLEKEY1234567', tags: {}, details: { userName: 'GeneratedFindingUserName' } },
        { type: 'AwsIamRole', id: `arn:aws:iam::${ACCOUNT}:role/service/app-role`, tags: {} },
        { type: 'AwsS3Bucket', id: 'arn:aws:s3:::sample-bucket', tags: {} },
      ],
    };
    const state = createAwsEstate(seedFromFinding(finding));
    expect(state.account).toBe(ACCOUNT);
    expect(state.instances['i-99999999']).toMatchObject({ vpcId: 'GeneratedFindingVPCId', subnetId: 'GeneratedFindingSubnetId', tags: { env: 'prod' } });
    expect(state.instances['i-99999999']!.volumes).toHaveLength(2);
    expect(state.users.GeneratedFindingUserName!.accessKeys[0]).toMatchObject({ id: 'ASIASAMPLEKEY1234567', status: 'Active' });
    expect(state.roles['app-role']).toBeDefined();
    expect(state.buckets['sample-bucket']!.publicAccessBlock).toBeUndefined();
    expect(state.findings['f-sample']).toMatchObject({ workflowStatus: 'NEW' });
  });
});

describe('EBS snapshot locks, as EC2 enforces them', () => {
  const seed = { ...TEST_ESTATE, snapshots: [{ id: 'snap-0000000000000000a', volumeId: 'vol-1' }, { id: 'snap-0000000000000000b', volumeId: 'vol-2' }] };

  it('compliance past its cooling-off period: no unlock, no change of mode, no shorter lock, no delete; only longer', async () => {
    const estate = await openEstate(seed);
    const { ec2 } = estate.ctx('s').clients;
    const SnapshotId = 'snap-0000000000000000a';
    expect(await ec2.send(new LockSnapshotCommand({ SnapshotId, LockMode: 'compliance', LockDuration: 30 }))).toMatchObject({ LockState: 'compliance', LockDuration: 30 });
    for (const refused of [
      ec2.send(new UnlockSnapshotCommand({ SnapshotId })),
      ec2.send(new LockSnapshotCommand({ SnapshotId, LockMode: 'governance', LockDuration: 30 })),
      ec2.send(new LockSnapshotCommand({ SnapshotId, LockMode: 'compliance', LockDuration: 10 })),
    ]) {
      expect(classifyAwsError(await errorOf(refused))).toMatchObject({ code: 'IncorrectState' });
    }
    expect(classifyAwsError(await errorOf(ec2.send(new DeleteSnapshotCommand({ SnapshotId }))))).toMatchObject({ code: 'SnapshotLocked' });
    expect(await ec2.send(new LockSnapshotCommand({ SnapshotId, LockMode: 'compliance', LockDuration: 60 }))).toMatchObject({ LockState: 'compliance', LockDuration: 60 });
  });

  it('governance (and compliance in its cooling-off period) can be unlocked by a permitted user, and then deleted', async () => {
    const estate = await openEstate(seed);
    const { ec2 } = estate.ctx('s').clients;
    await ec2.send(new LockSnapshotCommand({ SnapshotId: 'snap-0000000000000000a', LockMode: 'governance', LockDuration: 30 }));
    expect(await ec2.send(new LockSnapshotCommand({ SnapshotId: 'snap-0000000000000000b', LockMode: 'compliance', LockDuration: 30, CoolOffPeriod: 24 }))).toMatchObject({ LockState: 'compliance-cooloff' });
    const locked = await ec2.send(new DescribeLockedSnapshotsCommand({}));
    expect(locked.Snapshots?.map((s) => [s.SnapshotId, s.LockState])).toEqual([
      ['snap-0000000000000000a', 'governance'],
      ['snap-0000000000000000b', 'compliance-cooloff'],
    ]);
    for (const SnapshotId of ['snap-0000000000000000a', 'snap-0000000000000000b']) {
      await ec2.send(new UnlockSnapshotCommand({ SnapshotId }));
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId }));
    }
    expect(estate.state.snapshots).toEqual({});
  });

  it('refuses what LockSnapshot refuses: a cooling-off period in governance mode, both or neither of duration and date', async () => {
    const estate = await openEstate(seed);
    const { ec2 } = estate.ctx('s').clients;
    const SnapshotId = 'snap-0000000000000000a';
    const cases: [Promise<unknown>, string][] = [
      [ec2.send(new LockSnapshotCommand({ SnapshotId, LockMode: 'governance', LockDuration: 1, CoolOffPeriod: 1 })), 'InvalidParameterCombination'],
      [ec2.send(new LockSnapshotCommand({ SnapshotId, LockMode: 'governance' })), 'InvalidParameterCombination'],
      [ec2.send(new LockSnapshotCommand({ SnapshotId, LockMode: 'governance', LockDuration: 0 })), 'InvalidParameterValue'],
    ];
    for (const [call, code] of cases) expect(classifyAwsError(await errorOf(call))).toMatchObject({ code });
    expect(estate.state.snapshots[SnapshotId]?.lock).toBeUndefined();
  });
});
