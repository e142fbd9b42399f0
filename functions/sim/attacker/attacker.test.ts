import { AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, ModifyInstanceAttributeCommand, ModifyNetworkInterfaceAttributeCommand, RevokeSecurityGroupEgressCommand } from '@aws-sdk/client-ec2';
import { PutRolePolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand, DeleteLoginProfileCommand } from '@aws-sdk/client-iam';
import { PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS, createAwsClients, type AwsClients } from '../../adapters/aws/clients.js';
import type { Finding } from '../../core/model.js';
import { startSimulatedEstate, type EstateFile, type SimulatedEstate } from '../estate.js';
import { ownershipKeys } from './derive.js';

/**
 * The attacker model judged by AWS's rules, driven through the real SDK clients. Each rule has
 * its twin: the same footholds under the weaker response stay open.
 */
const ACCOUNT = '111122223333';
const INSTANCE = 'i-0abc1234def567890';
const ARN = `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${INSTANCE}`;
const VPC = 'vpc-0a1b2c3d4e5f60718';
const WEB = 'sg-0123456789abcdef0';

function estateFile(footholds: EstateFile['footholds'], instance: Record<string, unknown> = {}): EstateFile {
  return {
    aws: {
      account: ACCOUNT,
      region: 'eu-west-1',
      securityGroups: [{ id: WEB, name: 'web', vpc: VPC, ingress: ['tcp:22 0.0.0.0/0', 'tcp:443 0.0.0.0/0'] }],
      instances: [{ id: INSTANCE, vpc: VPC, securityGroups: [WEB], instanceProfile: 'web-app', ...instance }],
      users: [{ name: 'alice', accessKeys: [{ id: 'AKIAIOSFODNN7EXAMPLE' }], loginProfile: true }],
      buckets: [{ name: 'exposed' }],
    },
    footholds,
  };
}

const opened: SimulatedEstate[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
});

async function open(file: EstateFile, findings: Finding[] = []): Promise<{ estate: SimulatedEstate; aws: AwsClients }> {
  const estate = await startSimulatedEstate({ file, findings });
  opened.push(estate);
  return { estate, aws: createAwsClients({ region: 'eu-west-1', endpoint: estate.url, credentials: SIM_CREDENTIALS, stepId: 'inc-1/quarantine-instance:i-0abc1234def567890' }) };
}

const footholdOf = (estate: SimulatedEstate, kind: string) => estate.attacker.footholds.find((f) => f.kind === kind);

async function group(aws: AwsClients, name: string, allowAll: { v4: boolean; v6: boolean }): Promise<string> {
  const { GroupId } = await aws.ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: VPC }));
  await aws.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  const ranges = { ...(allowAll.v4 ? { IpRanges: [{ CidrIp: '0.0.0.0/0' }] } : {}), ...(allowAll.v6 ? { Ipv6Ranges: [{ CidrIpv6: '::/0' }] } : {}) };
  if (allowAll.v4 || allowAll.v6) {
    await aws.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', ...ranges }] }));
    await aws.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', ...ranges }] }));
  }
  return GroupId as string;
}

async function swap(aws: AwsClients, estate: SimulatedEstate, groups: string[]): Promise<void> {
  const eni = estate.aws.instances[INSTANCE]?.networkInterfaces[0]?.id;
  await aws.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, Groups: groups }));
}

describe('connection tracking (AWS)', () => {
  const c2 = { kind: 'connection' as const, instance: INSTANCE, remote: '203.0.113.9', port: 22, direction: 'inbound' as const };

  it('a two-step swap (allow-all, then the empty group) drops an established flow; closedBy names the step', async () => {
    const { estate, aws } = await open(estateFile([c2]));
    const untrack = await group(aws, 'untrack', { v4: true, v6: true });
    const isolation = await group(aws, 'isolation', { v4: false, v6: false });
    await swap(aws, estate, [untrack]);
    expect(footholdOf(estate, 'connection')?.open).toBe(true);
    await swap(aws, estate, [isolation]);
    expect(footholdOf(estate, 'connection')).toMatchObject({ open: false, closedBy: 'quarantine-instance', closedByCall: 'ec2:ModifyNetworkInterfaceAttribute' });
  });

  it('twin: a one-step swap to the empty group leaves the tracked flow up', async () => {
    const { estate, aws } = await open(estateFile([c2]));
    await swap(aws, estate, [await group(aws, 'isolation', { v4: false, v6: false })]);
    expect(footholdOf(estate, 'connection')).toMatchObject({ open: true });
    expect(footholdOf(estate, 'connection')?.until).toMatch(/untracked .*before the rules permitting it go away/);
  });

  it('IPv4 and IPv6 are judged apart: an IPv4-only allow-all does not untrack an IPv6 flow', async () => {
    const { estate, aws } = await open({ ...estateFile([{ ...c2, remote: '2001:db8::7', port: 443 }]), aws: { ...estateFile([]).aws, securityGroups: [{ id: WEB, name: 'web', vpc: VPC, ingress: ['tcp:443 ::/0'] }] } });
    await swap(aws, estate, [await group(aws, 'untrack4', { v4: true, v6: false })]);
    await swap(aws, estate, [await group(aws, 'isolation', { v4: false, v6: false })]);
    expect(footholdOf(estate, 'connection')?.open).toBe(true);
  });

  it('ICMP and automatically tracked paths (NAT gateway) stay tracked under allow-all', async () => {
    const { estate, aws } = await open(
      estateFile([
        { kind: 'connection', instance: INSTANCE, remote: '203.0.113.9', protocol: 'icmp', direction: 'outbound' },
        { kind: 'connection', instance: INSTANCE, remote: '198.51.100.4', port: 443, direction: 'outbound', via: 'nat-gateway' },
      ]),
    );
    await swap(aws, estate, [await group(aws, 'untrack', { v4: true, v6: true })]);
    await swap(aws, estate, [await group(aws, 'isolation', { v4: false, v6: false })]);
    const flows = estate.attacker.footholds.filter((f) => f.kind === 'connection');
    expect(flows.map((f) => f.open)).toEqual([true, true]);
    expect(flows[0]?.until).toMatch(/network ACL .*ICMP is always tracked/);
    expect(flows[1]?.until).toMatch(/nat-gateway are tracked automatically/);
  });
});

describe('credentials (IAM policy evaluation)', () => {
  const cutoff = (at: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': at } } }] });
  const instanceDeny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { ArnEquals: { 'ec2:SourceInstanceARN': ARN } } }] });

  it('a TokenIssueTime cutoff ends stolen role credentials, but not the host minting fresh ones (twin); an instance deny ends both', async () => {
    const { estate, aws } = await open(estateFile([{ kind: 'role-credentials', role: 'web-app', instance: INSTANCE, issuedAt: '2026-01-01T00:00:00Z' }, { kind: 'instance-metadata', instance: INSTANCE }]));
    await aws.iam.send(new PutRolePolicyCommand({ RoleName: 'web-app', PolicyName: 'cordon-revoke', PolicyDocument: cutoff(new Date().toISOString()) }));
    expect(footholdOf(estate, 'role-credentials')?.open).toBe(false);
    expect(footholdOf(estate, 'instance-metadata')?.open).toBe(true);
    await aws.iam.send(new PutRolePolicyCommand({ RoleName: 'web-app', PolicyName: 'cordon-instance', PolicyDocument: instanceDeny }));
    expect(footholdOf(estate, 'instance-metadata')?.open).toBe(false);
  });

  it('credentials issued after an old cutoff stay valid (the cutoff must move to now)', async () => {
    const { estate, aws } = await open(estateFile([{ kind: 'role-credentials', role: 'web-app', issuedAt: '2026-02-01T00:00:00Z' }]));
    await aws.iam.send(new PutRolePolicyCommand({ RoleName: 'web-app', PolicyName: 'cordon-revoke', PolicyDocument: cutoff('2026-01-15T00:00:00Z') }));
    expect(footholdOf(estate, 'role-credentials')?.open).toBe(true);
  });

  it('IAM refuses edits to service-linked and Identity Center roles, as the real IAM does', async () => {
    const { aws } = await open({ aws: { account: ACCOUNT, region: 'eu-west-1', roles: [{ name: 'AWSServiceRoleForSupport' }, { name: 'AWSReservedSSO_Admin_0123456789abcdef' }] } });
    for (const RoleName of ['AWSServiceRoleForSupport', 'AWSReservedSSO_Admin_0123456789abcdef']) {
      const error = await aws.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'x', PolicyDocument: cutoff('2026-01-01T00:00:00Z') })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'UnmodifiableEntityException', $metadata: { httpStatusCode: 400 } });
      expect(String((error as Error).message)).toContain('only modifiable by AWS');
    }
  });

  it('an IAM user: the key ends when Inactive, temporary keys only by a TokenIssueTime deny, the password with the login profile', async () => {
    const { estate, aws } = await open(
      estateFile([
        { kind: 'user-credentials', user: 'alice', accessKey: 'AKIAIOSFODNN7EXAMPLE' },
        { kind: 'user-credentials', user: 'alice', accessKey: 'ASIAIOSFODNN7EXAMPLE', issuedAt: '2026-01-01T00:00:00Z' },
        { kind: 'console-password', user: 'alice' },
      ]),
    );
    await aws.iam.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Inactive' }));
    const [key, temporary] = estate.attacker.footholds;
    expect(key?.open).toBe(false);
    // Twin: deactivating the key does not end the session credentials it made.
    expect(temporary?.open).toBe(true);
    await aws.iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'cordon-revoke', PolicyDocument: cutoff(new Date().toISOString()) }));
    expect(temporary?.open).toBe(false);
    expect(footholdOf(estate, 'console-password')?.open).toBe(true);
    await aws.iam.send(new DeleteLoginProfileCommand({ UserName: 'alice' }));
    expect(footholdOf(estate, 'console-password')?.open).toBe(false);
  });
});

describe('what AWS does or refuses on its own', () => {
  it('a public bucket closes with Block Public Access RestrictPublicBuckets; BlockPublicPolicy alone does not (twin)', async () => {
    const { estate, aws } = await open(estateFile([{ kind: 'public-read', bucket: 'exposed' }]));
    await aws.s3.send(new PutPublicAccessBlockCommand({ Bucket: 'exposed', PublicAccessBlockConfiguration: { BlockPublicPolicy: true, BlockPublicAcls: true } }));
    expect(footholdOf(estate, 'public-read')?.open).toBe(true);
    await aws.s3.send(new PutPublicAccessBlockCommand({ Bucket: 'exposed', PublicAccessBlockConfiguration: { BlockPublicPolicy: true, BlockPublicAcls: true, IgnorePublicAcls: true, RestrictPublicBuckets: true } }));
    expect(footholdOf(estate, 'public-read')?.open).toBe(false);
  });

  it('Spot instances refuse termination protection with EC2 error', async () => {
    const { aws } = await open(estateFile([], { market: 'spot' }));
    const error = await aws.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: INSTANCE, DisableApiTermination: { Value: true } })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UnsupportedOperation' });
  });

  it('an isolated in-service instance behind a load balancer is terminated by its Auto Scaling group: evidence at risk', async () => {
    const file = estateFile([{ kind: 'connection', instance: INSTANCE, remote: '203.0.113.9', port: 22, direction: 'inbound' }], { autoScalingGroup: 'web-asg', volumes: [{ id: 'vol-0000000000000aaa1' }, { id: 'vol-0000000000000aaa2', deleteOnTermination: false }] });
    file.aws = { ...file.aws, autoScalingGroups: [{ name: 'web-asg', targetGroups: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/0123456789abcdef'] }] };
    const { estate, aws } = await open(file);
    await swap(aws, estate, [await group(aws, 'isolation', { v4: false, v6: false })]);
    const verdict = estate.attacker.verdict(new Set([`instance:eu-west-1/${INSTANCE}`]));
    expect(estate.aws.instances[INSTANCE]?.state).toBe('terminated');
    expect(verdict.evidenceAtRisk).toEqual([
      { kind: 'instance', id: INSTANCE, reason: expect.stringContaining('terminated by Auto Scaling group web-asg') },
      { kind: 'volume', id: 'vol-0000000000000aaa1', reason: expect.stringContaining('DeleteOnTermination') },
    ]);
    expect(estate.aws.volumes['vol-0000000000000aaa2']).toBeDefined();
  });
});

describe('footholds derived from a finding (DESIGN §8)', () => {
  const base: Finding = {
    id: 'f-1',
    source: 'guardduty',
    cloud: 'aws',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    title: 't',
    severity: 'high',
    account: ACCOUNT,
    region: 'eu-west-1',
    observedAt: '2026-03-28T12:00:00.000Z',
    sample: false,
    resources: [{ type: 'AwsIamAccessKey', id: 'ASIAEXFIL000000000001', tags: {}, details: { userType: 'AssumedRole', userName: 'web-app', principalId: `AROAEXAMPLE:${INSTANCE}` } }],
  };

  it('instance-credential exfiltration: the role credentials from that instance, and the instance minting more', async () => {
    const { estate } = await open({ aws: { account: ACCOUNT, region: 'eu-west-1' } }, [base]);
    expect(estate.attacker.footholds.map((f) => [f.kind, f.on])).toEqual([
      ['role-credentials', ['role:web-app', 'key:ASIAEXFIL000000000001', `instance:eu-west-1/${INSTANCE}`]],
      ['instance-metadata', [`instance:eu-west-1/${INSTANCE}`]],
    ]);
    expect(estate.aws.instances[INSTANCE]?.instanceProfile?.role).toBe('web-app');
    expect([...ownershipKeys(base)]).toContain(`instance:eu-west-1/${INSTANCE}`);
  });

  it('never the caller named in a Policy:* finding', async () => {
    const { estate } = await open({ aws: { account: ACCOUNT, region: 'eu-west-1' } }, [{ ...base, type: 'Policy:IAMUser/RootCredentialUsage' }]);
    expect(estate.attacker.footholds).toEqual([]);
  });
});
