import { ModifyNetworkInterfaceAttributeCommand, CreateSecurityGroupCommand, RevokeSecurityGroupEgressCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS, createAwsClients } from '../../functions/adapters/aws/clients.js';
import { ingestValue } from '../../functions/core/findings/ingest.js';
import type { Finding } from '../../functions/core/model.js';
import { compileRouter } from '../../functions/core/playbooks/match.js';
import type { Playbook } from '../../functions/core/playbooks/schema.js';
import { planManualRun } from '../../functions/core/plan/manual.js';
import { planIncident, planSettings } from '../../functions/core/plan/plan.js';
import type { PlannedFinding } from '../../functions/engine/planning.js';
import type { IncidentReport } from '../../functions/engine/responder.js';
import { openLocalRecords } from '../../functions/engine/runtime.js';
import { runLocally } from '../../functions/engine/session.js';
import { denyingPolicy } from '../../functions/sim/attacker/iam-policy.js';
import { ownershipKeys } from '../../functions/sim/attacker/derive.js';
import { startSimulatedEstate, type EstateFile, type SimulatedEstate } from '../../functions/sim/estate.js';
import type { FaultRule } from '../../functions/sim/faults.js';
import { NOW, PLAYBOOKS, freshHome, removeHomes } from '../reliability/engine-harness.js';

/**
 * Issue 12, Done when (AWS): a tabletop of each scenario — the engine, the compiled workflows, the
 * real SDK clients, the simulated estate with its attacker — ends with every foothold closed and
 * the incident contained; each has a twin where the old response (one-step swap, no instance
 * credentials, no Auto Scaling standby, fleet-wide role revocation, key-only or public-access-only
 * responses) leaves a foothold open, so the model is shown able to fail.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const INSTANCE = 'i-0abc1234def567890';
const INSTANCE_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE}`;
const VPC = 'vpc-0a1b2c3d4e5f60718';
const WEB = 'sg-0123456789abcdef0';
const C2 = '198.51.100.7';

const opened: SimulatedEstate[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
});
afterAll(removeHomes);

function estateFile(instance: Record<string, unknown> = {}, extra: Partial<NonNullable<EstateFile['aws']>> = {}, footholds: EstateFile['footholds'] = []): EstateFile {
  return {
    aws: {
      account: ACCOUNT,
      region: REGION,
      securityGroups: [{ id: WEB, name: 'web', vpc: VPC, ingress: ['tcp:22 0.0.0.0/0', 'tcp:443 0.0.0.0/0'] }],
      instances: [{ id: INSTANCE, vpc: VPC, securityGroups: [WEB], instanceProfile: 'web-app', shutdownBehavior: 'terminate', ...instance }],
      users: [{ name: 'alice', accessKeys: [{ id: 'AKIAALICE0000000KEY1' }], loginProfile: true }],
      buckets: [{ name: 'exposed-data' }],
      ...extra,
    },
    footholds,
  };
}

/** A GuardDuty C&C finding on the host: an established outbound flow to the attacker, and the host's instance profile. */
const c2Finding: Finding = {
  id: 'gd-c2-1',
  source: 'guardduty',
  cloud: 'aws',
  type: 'Backdoor:EC2/C&CActivity.B',
  title: 'EC2 instance is communicating with a command and control server',
  severity: 'high',
  account: ACCOUNT,
  region: REGION,
  observedAt: '2026-03-28T12:00:00.000Z',
  sample: false,
  resources: [
    {
      type: 'AwsEc2Instance',
      id: INSTANCE_ARN,
      tags: {},
      account: ACCOUNT,
      region: REGION,
      details: { instanceId: INSTANCE, networkAction: 'NETWORK_CONNECTION', remoteIp: C2, protocol: 'tcp', connectionDirection: 'outbound', remotePort: '443', instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/web-app` },
    },
  ],
};

/** A GuardDuty finding as EventBridge delivers it, through ingest (so the ingest rules are part of the scenario). */
function guardDuty(type: string, accessKey: Record<string, string>, extra: Record<string, unknown> = {}): Finding {
  const result = ingestValue(
    {
      schemaVersion: '2.0',
      id: `gd-${type.replace(/\W/g, '')}`,
      arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d0/finding/gd-${type.replace(/\W/g, '')}`,
      accountId: ACCOUNT,
      region: REGION,
      partition: 'aws',
      type,
      title: type,
      severity: 8,
      updatedAt: '2026-03-28T12:00:00.000Z',
      resource: { resourceType: 'AccessKey', accessKeyDetails: accessKey, ...extra },
      service: { archived: false, eventLastSeen: '2026-03-28T12:00:00.000Z' },
    },
    'scenario',
  );
  const f = result.findings[0]?.finding;
  if (!f) throw new Error(JSON.stringify(result.rejected));
  return f;
}

const without = (...actions: string[]) => (p: Playbook): Playbook => ({ ...p, steps: p.steps.filter((s) => !actions.includes(s.action)) });

interface Run {
  report: IncidentReport;
  estate: SimulatedEstate;
}

async function tabletop(f: Finding, file: EstateFile, options: { faults?: FaultRule[]; playbook?: (p: Playbook) => Playbook } = {}): Promise<Run> {
  const playbooks = PLAYBOOKS.map((p) => (options.playbook ? options.playbook(p) : p));
  const estate = await startSimulatedEstate({ file, findings: [f], faults: options.faults ?? [] });
  opened.push(estate);
  const incident = planIncident(f, compileRouter(playbooks)(f), planSettings({ now: NOW, mode: 'tabletop' }));
  const planned: PlannedFinding = { incident, ingested: { finding: f, raw: f, rawSha256: '0'.repeat(64), origin: `scenario:${f.id}` }, deliveries: 1 };
  const records = openLocalRecords(freshHome());
  try {
    const [report] = await runLocally([planned], { mode: 'tabletop', playbooks, records, estate, speed: 1_000_000, approve: async () => 'approved' });
    return { report: report as IncidentReport, estate };
  } finally {
    await records.close();
  }
}

const foothold = (r: IncidentReport, kind: string) => r.eviction?.footholds.find((f) => f.kind === kind);
const step = (r: IncidentReport, action: string) => r.steps.find((s) => s.action === action);

/** The response before issue 12: one swap straight into a rule-less group (made here through the SDK, as the old action did). */
async function oneStepSwap(estate: SimulatedEstate): Promise<void> {
  const ec2 = createAwsClients({ region: REGION, endpoint: estate.url, credentials: SIM_CREDENTIALS, stepId: 'old/quarantine-instance:one-step' }).ec2;
  const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'old-isolation', Description: 'old', VpcId: VPC }));
  await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  const eni = estate.aws.instances[INSTANCE]?.networkInterfaces[0]?.id;
  await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, Groups: [GroupId as string] }));
}

describe('an EC2 host with an established C2 connection and an instance profile', () => {
  it('is contained: the flow is dropped (two-step swap) and the host can mint no more credentials', async () => {
    const { report, estate } = await tabletop(c2Finding, estateFile());
    expect(report.eviction?.footholds.map((f) => [f.kind, f.open, f.closedBy])).toEqual([
      ['connection', false, 'quarantine-instance'],
      ['instance-metadata', false, 'revoke-instance-credentials'],
    ]);
    expect(report).toMatchObject({ status: 'contained', escalated: false, eviction: { open: 0 }, evidenceAtRisk: [] });
    expect(estate.aws.instances[INSTANCE]).toMatchObject({ shutdownBehavior: 'stop', disableApiTermination: true });
  });

  it('twin: the old one-step swap leaves the tracked C2 flow up, and without revoke-instance-credentials the host keeps minting credentials', async () => {
    const { report, estate } = await tabletop(c2Finding, estateFile(), { playbook: without('quarantine-instance', 'revoke-instance-credentials') });
    await oneStepSwap(estate);
    const verdict = estate.attacker.verdict(ownershipKeys(c2Finding));
    expect(verdict.footholds.map((f) => [f.kind, f.open])).toEqual([
      ['connection', true],
      ['instance-metadata', true],
    ]);
    expect(report.status).not.toBe('contained');
  });

  it('a failure on the second swap (ModifyNetworkInterfaceAttribute=error@2): never left in the allow-all group, and the incident escalates', async () => {
    const { report, estate } = await tabletop(c2Finding, estateFile(), { faults: [{ operation: 'ec2:ModifyNetworkInterfaceAttribute', kind: 'error', from: 2 }] });
    const isolation = Object.values(estate.aws.securityGroups).find((g) => g.name === 'cordon-isolation');
    // The instance-level API made the swap; the connection-tracking change (this API only) could not be made.
    expect(estate.aws.instances[INSTANCE]?.networkInterfaces[0]?.groups).toEqual([isolation?.id]);
    expect(foothold(report, 'connection')).toMatchObject({ open: false });
    expect(step(report, 'quarantine-instance')).toMatchObject({ status: 'failed', errorClass: 'Transient' });
    expect(step(report, 'quarantine-instance')?.reason).toMatch(/could not lower the connection-tracking timeouts/);
    expect(report.escalated).toBe(true);
    expect(report.status).not.toBe('contained');
  });

  it('a permanent failure of the contain call leaves the incident not contained, the flow open, and escalated', async () => {
    const { report, estate } = await tabletop(c2Finding, estateFile(), { faults: [{ operation: 'ec2:ModifyNetworkInterfaceAttribute', kind: 'error' }] });
    expect(step(report, 'quarantine-instance')).toMatchObject({ status: 'failed' });
    expect(foothold(report, 'connection')).toMatchObject({ open: true });
    expect(report).toMatchObject({ escalated: true });
    expect(report.status).not.toBe('contained');
    expect(estate.aws.instances[INSTANCE]?.networkInterfaces[0]?.groups).toEqual([WEB]);
  });

  it('a Spot instance is isolated without termination protection, and the step says so', async () => {
    const { report, estate } = await tabletop(c2Finding, estateFile({ market: 'spot' }));
    expect(step(report, 'quarantine-instance')).toMatchObject({ status: 'succeeded', summary: expect.stringMatching(/Spot: no termination protection/) });
    expect(foothold(report, 'connection')?.open).toBe(false);
    expect(estate.aws.instances[INSTANCE]?.disableApiTermination).toBe(false);
    // EC2 may still interrupt a Spot instance: the verdict says the evidence is at risk rather than hiding it.
    expect(report.evidenceAtRisk).toEqual([expect.objectContaining({ kind: 'instance', id: INSTANCE, reason: expect.stringMatching(/Spot/) })]);
  });
});

describe('the same host in an Auto Scaling group behind a load balancer', () => {
  const inGroup = estateFile({ autoScalingGroup: 'web-asg' }, { autoScalingGroups: [{ name: 'web-asg', targetGroups: [`arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web/0123456789abcdef`] }] });

  it('is contained, not terminated, and no evidence is at risk (Standby, scale-in protection, DeleteOnTermination off)', async () => {
    const { report, estate } = await tabletop(c2Finding, inGroup);
    expect(report).toMatchObject({ status: 'contained', eviction: { open: 0 }, evidenceAtRisk: [] });
    expect(estate.aws.instances[INSTANCE]?.state).toBe('running');
    expect(estate.aws.autoScalingGroups['web-asg']?.instances[INSTANCE]).toMatchObject({ lifecycleState: 'Standby', protectedFromScaleIn: true });
    expect(step(report, 'detach-from-autoscaling')?.calls).toEqual(expect.arrayContaining(['autoscaling:EnterStandby', 'autoscaling:SetInstanceProtection']));
  });

  it('twin: without detach-from-autoscaling the group terminates the isolated host (it fails its load balancer health check): evidence lost', async () => {
    const { report, estate } = await tabletop(c2Finding, inGroup, { playbook: without('detach-from-autoscaling') });
    expect(estate.aws.instances[INSTANCE]?.state).toBe('terminated');
    expect(report.evidenceAtRisk).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'instance', id: INSTANCE, reason: expect.stringMatching(/terminated by Auto Scaling group web-asg/) })]));
  });
});

describe('instance-credential exfiltration', () => {
  const exfiltration = guardDuty('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', {
    accessKeyId: 'ASIAEXFIL00000000001',
    principalId: `AROAEXAMPLEROLE00001:${INSTANCE}`,
    userName: 'web-app',
    userType: 'AssumedRole',
  });
  // A second host of the same role, which must keep working.
  const fleet = estateFile({}, { instances: [{ id: INSTANCE, vpc: VPC, securityGroups: [WEB], instanceProfile: 'web-app' }, { id: 'i-0fleet00000000002', vpc: VPC, securityGroups: [WEB], instanceProfile: 'web-app' }] });

  it('isolates the source host and denies only its credentials: contained, the rest of the fleet untouched', async () => {
    expect(exfiltration.resources.map((r) => r.type)).toEqual(['AwsIamAccessKey', 'AwsIamRole', 'AwsEc2Instance']);
    const { report, estate } = await tabletop(exfiltration, fleet);
    expect(report.eviction?.footholds.map((f) => [f.kind, f.open])).toEqual([
      ['role-credentials', false],
      ['instance-metadata', false],
    ]);
    expect(report).toMatchObject({ status: 'contained', eviction: { open: 0 } });
    expect(report.steps.map((s) => s.action)).not.toContain('revoke-role-sessions');
    const role = estate.aws.roles['web-app'];
    const fresh = new Date(Date.now() + 60_000);
    expect(denyingPolicy(role?.inlinePolicies ?? {}, { tokenIssueTime: fresh, sourceInstanceArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0fleet00000000002` })).toBeUndefined();
    expect(estate.aws.instances['i-0fleet00000000002']?.instanceProfile).toBeDefined();
    expect(estate.aws.instances[INSTANCE]?.networkInterfaces[0]?.groups).not.toEqual([WEB]);
  });

  it('twin: the old fleet-wide role revocation cuts every host of the role and still leaves the source host minting fresh credentials', async () => {
    const old = (p: Playbook): Playbook =>
      p.id === 'aws-iam-credential-compromise' ? { ...p, steps: [{ action: 'revoke-role-sessions', params: {} }, { action: 'deactivate-access-key', params: {} }] } : p;
    const { report, estate } = await tabletop(exfiltration, fleet, { playbook: old });
    expect(foothold(report, 'instance-metadata')).toMatchObject({ open: true });
    expect(report.status).not.toBe('contained');
    expect(denyingPolicy(estate.aws.roles['web-app']?.inlinePolicies ?? {}, { tokenIssueTime: new Date('2026-01-01T00:00:00Z') })).toBeDefined();
  });
});

describe('an IAM user with an active key, a temporary key and a console password', () => {
  const callerFinding = guardDuty('UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom', { accessKeyId: 'AKIAALICE0000000KEY1', principalId: 'AIDAALICE', userName: 'alice', userType: 'IAMUser' });
  const held = estateFile({}, {}, [
    { kind: 'user-credentials', user: 'alice', accessKey: 'ASIAALICE0000000TMP1', issuedAt: '2026-03-28T11:00:00Z' },
    { kind: 'console-password', user: 'alice' },
  ]);

  it('is contained: sessions denied before now, the key Inactive, the password removed', async () => {
    const { report } = await tabletop(callerFinding, held);
    expect(report.eviction?.footholds.map((f) => [f.kind, f.id, f.open])).toEqual([
      ['user-credentials', 'alice:ASIAALICE0000000TMP1', false],
      ['console-password', 'alice:console-password', false],
      ['user-credentials', 'alice:AKIAALICE0000000KEY1', false],
    ]);
    expect(report).toMatchObject({ status: 'contained', eviction: { open: 0 } });
  });

  it('twin: deactivating the key alone leaves the temporary key and the console password', async () => {
    const { report } = await tabletop(callerFinding, held, { playbook: without('revoke-user-credentials') });
    expect(report.eviction?.footholds.filter((f) => f.open).map((f) => f.kind)).toEqual(['user-credentials', 'console-password']);
    expect(report.status).toBe('partially-contained');
  });

  it('credential-driven S3 exfiltration revokes the caller too; twin: blocking public access alone leaves the keys working', async () => {
    const s3 = guardDuty('Exfiltration:S3/MaliciousIPCaller', { accessKeyId: 'AKIAALICE0000000KEY1', principalId: 'AIDAALICE', userName: 'alice', userType: 'IAMUser' }, {
      s3BucketDetails: [{ name: 'exposed-data', arn: 'arn:aws:s3:::exposed-data', type: 'Destination' }],
    });
    const { report } = await tabletop(s3, held);
    expect(report).toMatchObject({ status: 'contained', eviction: { open: 0 } });
    const old = await tabletop(s3, held, { playbook: without('revoke-user-credentials', 'deactivate-access-key', 'revoke-role-sessions') });
    expect(old.report.eviction?.open).toBe(3);
    expect(old.report.status).toBe('not-contained');
  });
});

describe('a public bucket', () => {
  const publicBucket = guardDuty('Policy:S3/BucketAnonymousAccessGranted', { accessKeyId: 'AKIAADMIN000000KEY01', principalId: 'AIDAADMIN', userName: 'admin', userType: 'IAMUser' }, {
    resourceType: 'S3Bucket',
    s3BucketDetails: [{ name: 'exposed-data', arn: 'arn:aws:s3:::exposed-data', type: 'Destination' }],
  });

  it('is contained by Block Public Access; the caller of a Policy finding is not treated as an attacker', async () => {
    const { report } = await tabletop(publicBucket, estateFile());
    expect(report.eviction?.footholds.map((f) => [f.kind, f.open, f.closedBy])).toEqual([['public-read', false, 'block-s3-public-access']]);
    expect(report).toMatchObject({ status: 'contained', eviction: { open: 0 } });
  });

  it('twin: with the block step gone, the bucket stays public and the incident is not contained', async () => {
    const { report } = await tabletop(publicBucket, estateFile(), { playbook: without('block-s3-public-access', 'block-account-public-access') });
    expect(report.eviction).toMatchObject({ open: 1 });
    expect(report.status).toBe('not-contained');
  });
});

describe('roles IAM will not let anyone edit', () => {
  for (const role of ['AWSReservedSSO_AdministratorAccess_0123456789abcdef', 'AWSServiceRoleForSupport']) {
    it(`${role}: refused with guidance, escalated, never contained`, async () => {
      const f = guardDuty('CredentialAccess:IAMUser/AnomalousBehavior', { accessKeyId: 'ASIAPROTECTED0000001', principalId: 'AROAPROTECTED:someone', userName: role, userType: 'AssumedRole' });
      const { report, estate } = await tabletop(f, { aws: { account: ACCOUNT, region: REGION } });
      expect(step(report, 'revoke-role-sessions')).toMatchObject({ status: 'failed', errorClass: 'InvalidTarget', reason: expect.stringMatching(role.startsWith('AWSReserved') ? /Identity Center/ : /service-linked/) });
      expect(report.escalated).toBe(true);
      expect(report.status).not.toBe('contained');
      expect(foothold(report, 'role-credentials')).toMatchObject({ open: true });
      expect(estate.aws.roles[role]?.inlinePolicies).toEqual({});
    });
  }
});

describe('flows that stay tracked (ICMP, through a NAT gateway)', () => {
  const tracked = estateFile({}, {}, [
    { kind: 'connection', instance: INSTANCE, remote: '203.0.113.50', protocol: 'icmp', direction: 'outbound' },
    { kind: 'connection', instance: INSTANCE, remote: '198.51.100.99', port: 443, direction: 'outbound', via: 'nat-gateway' },
  ]);
  const subnetCut = (estate: SimulatedEstate, answer: 'approved' | 'rejected') => {
    const playbook = PLAYBOOKS.find((p) => p.id === 'aws-ec2-subnet-cut') as Playbook;
    const incident = planManualRun(playbook, INSTANCE_ARN, { ...planSettings({ now: NOW, mode: 'manual' }) });
    const f = incident.finding;
    const records = openLocalRecords(freshHome());
    return runLocally([{ incident, ingested: { finding: f, raw: f, rawSha256: '0'.repeat(64), origin: 'manual' }, deliveries: 1 }], {
      mode: 'manual',
      playbooks: PLAYBOOKS,
      records,
      estate,
      speed: 1_000_000,
      approve: async () => (answer === 'approved' ? 'approved' : { rejected: 'subnet shared with production' }),
    }).finally(() => records.close());
  };

  it('survive the two-step quarantine and are reported with what cuts them; the subnet cut, once a person approves, drops them', async () => {
    const { report, estate } = await tabletop(c2Finding, tracked);
    const open = report.eviction?.footholds.filter((f) => f.open) ?? [];
    expect(open.map((f) => f.id)).toEqual([`${INSTANCE} → 203.0.113.50/icmp`, `${INSTANCE} → 198.51.100.99:443/tcp`]);
    for (const f of open) expect(f.until).toMatch(/network ACL deny/);
    expect(report.status).toBe('partially-contained');
    const [cut] = await subnetCut(estate, 'approved');
    expect(cut?.steps.find((s) => s.action === 'isolate-subnet')).toMatchObject({ status: 'succeeded', summary: expect.stringMatching(/every other instance of the subnet/) });
    expect(cut?.eviction?.footholds.filter((f) => f.kind === 'connection').map((f) => [f.open, f.closedBy])).toEqual([
      [false, 'isolate-subnet'],
      [false, 'isolate-subnet'],
      [false, 'quarantine-instance'],
    ]);
  });

  it('twin: without the approval the subnet is not cut and the tracked flows stay open', async () => {
    const { estate } = await tabletop(c2Finding, tracked);
    const [cut] = await subnetCut(estate, 'rejected');
    expect(cut?.steps.find((s) => s.action === 'isolate-subnet')).toMatchObject({ status: 'skipped' });
    expect(cut?.eviction?.open).toBe(2);
    expect(cut?.status).not.toBe('contained');
  });
});
