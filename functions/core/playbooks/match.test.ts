import { describe, expect, it } from 'vitest';
import type { Finding } from '../model.js';
import { loadPlaybooks } from './load.js';
import { compileRouter, isTerminal, routeFinding } from './match.js';
import type { Playbook } from './schema.js';
import { PlaybookSchema } from './schema.js';
import {
  STORAGE_ID,
  USER_ID,
  VM_ID,
  defenderAlert,
  finding,
  fixtureBackdoorDos,
  fixtureCis23,
  fixtureCis28,
  fixtureCis41,
  fixtureEc22,
  fixtureEc28,
  fixtureIam8,
  fixtureIam8NoDetails,
  fixtureS31,
  fixtureS32,
  fixtureS34,
  fixtureS38,
  fixtureSshBruteForce,
  fixtureTrojan,
  graphAlert,
  resource,
} from '../../../test/support/findings.js';

const playbooks = loadPlaybooks();
const route = compileRouter(playbooks);
const routed = (f: Finding) => route(f)?.id ?? null;

describe('routing of the public fixtures (test/fixtures/public)', () => {
  it.each([
    ['guardduty Trojan:EC2/DGADomainRequest.B', fixtureTrojan, 'aws-ec2-compromise'],
    ['guardduty UnauthorizedAccess:EC2/SSHBruteForce (low)', fixtureSshBruteForce, 'aws-ec2-compromise'],
    ['guardduty Backdoor:EC2/DenialOfService.UdpOnTcpPorts', fixtureBackdoorDos, 'aws-ec2-compromise'],
    ['securityhub S3.8 FAILED on a bucket', fixtureS38, 'aws-s3-data-exposure'],
    ['securityhub S3.1 FAILED on the account', fixtureS31, 'aws-s3-data-exposure'],
    ['securityhub S3.2 PASSED / RESOLVED', fixtureS32, null],
    ['securityhub S3.4 (encryption: not exposure)', fixtureS34, null],
    ['securityhub EC2.2 (default security group)', fixtureEc22, null],
    ['securityhub EC2.8 (IMDSv2)', fixtureEc28, null],
    ['securityhub IAM.8 (unused credentials)', fixtureIam8, null],
    ['securityhub IAM.8 without details', fixtureIam8NoDetails, null],
    ['securityhub CIS 2.3 WARNING', fixtureCis23, null],
    ['securityhub CIS 2.8 (KMS rotation)', fixtureCis28, null],
    ['securityhub CIS 4.1 (security group)', fixtureCis41, null],
  ])('%s → %s', (_name, f, expected) => {
    expect(routed(f)).toBe(expected);
  });
});

describe('aws-ec2-compromise', () => {
  it.each([
    'Backdoor:EC2/C&CActivity.B!DNS',
    'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    'Trojan:EC2/BlackholeTraffic',
    'UnauthorizedAccess:EC2/TorClient',
    'UnauthorizedAccess:EC2/RDPBruteForce',
    'Impact:EC2/PortSweep',
    'Execution:Runtime/NewBinaryExecuted',
    'CryptoCurrency:Runtime/BitcoinTool.B',
  ])('matches GuardDuty %s on an instance', (type) => {
    expect(routed(finding({ type }))).toBe('aws-ec2-compromise');
  });

  it('matches a GuardDuty EC2 threat imported into Security Hub (type recovered by ingest)', () => {
    const f = finding({ source: 'securityhub', type: 'Backdoor:EC2/C&CActivity.B!DNS', recordState: 'active', workflowStatus: 'new' });
    expect(routed(f)).toBe('aws-ec2-compromise');
  });

  it.each(['Recon:EC2/PortProbeUnprotectedPort', 'Behavior:EC2/NetworkPortUnusual', 'Policy:IAMUser/RootCredentialUsage'])(
    'leaves %s alone',
    (type) => expect(routed(finding({ type }))).toBeNull(),
  );

  it('needs an instance: a runtime finding on an EKS cluster does not route', () => {
    const f = finding({ type: 'Execution:Runtime/NewBinaryExecuted', resources: [resource('EKSCluster', 'arn:aws:eks:eu-west-1:111122223333:cluster/prod')] });
    expect(routed(f)).toBeNull();
  });

  it('ignores informational findings', () => {
    expect(routed(finding({ severity: 'informational' }))).toBeNull();
  });
});

describe('aws-iam-credential-compromise', () => {
  const key = resource('AwsIamAccessKey', 'AKIAIOSFODNN7EXAMPLE');
  const iam = (type: string, severity: Finding['severity'] = 'medium') => finding({ type, severity, resources: [key] });

  it.each([
    'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
    'CredentialAccess:IAMUser/AnomalousBehavior',
    'Persistence:IAMUser/AnomalousBehavior',
    'PrivilegeEscalation:IAMUser/AnomalousBehavior',
    'Exfiltration:IAMUser/AnomalousBehavior',
    'Impact:IAMUser/AnomalousBehavior',
    'Discovery:IAMUser/AnomalousBehavior',
  ])('matches %s', (type) => expect(routed(iam(type))).toBe('aws-iam-credential-compromise'));

  it('holds Discovery to a medium floor while other IAM threats route from low', () => {
    expect(routed(iam('Discovery:IAMUser/TorIPCaller', 'low'))).toBeNull();
    expect(routed(iam('Discovery:IAMUser/TorIPCaller', 'medium'))).toBe('aws-iam-credential-compromise');
    expect(routed(iam('UnauthorizedAccess:IAMUser/TorIPCaller', 'low'))).toBe('aws-iam-credential-compromise');
  });

  it('needs an IAM principal among the resources', () => {
    expect(routed(finding({ type: 'Impact:IAMUser/AnomalousBehavior', resources: [] }))).toBeNull();
  });

  it('leaves Policy and Stealth IAM findings alone, except root credential use (which escalates with guidance)', () => {
    expect(routed(iam('Policy:IAMUser/RootCredentialUsage'))).toBe('aws-iam-credential-compromise');
    expect(routed(iam('Policy:IAMUser/S3BlockPublicAccessDisabled'))).toBeNull();
    expect(routed(iam('Stealth:IAMUser/CloudTrailLoggingDisabled'))).toBeNull();
  });
});

describe('aws-s3-data-exposure', () => {
  const bucket = resource('AwsS3Bucket', 'arn:aws:s3:::customer-exports');
  it.each([
    'Policy:S3/BucketBlockPublicAccessDisabled',
    'Policy:S3/BucketAnonymousAccessGranted',
    'Exfiltration:S3/AnomalousBehavior',
    'UnauthorizedAccess:S3/TorIPCaller',
    'Discovery:S3/MaliciousIPCaller',
    'Impact:S3/AnomalousBehavior.Delete',
    'PenTest:S3/KaliLinux',
    'Stealth:S3/ServerAccessLoggingDisabled',
  ])('matches GuardDuty %s', (type) => {
    expect(routed(finding({ type, severity: 'low', resources: [bucket] }))).toBe('aws-s3-data-exposure');
  });

  it.each(['S3.2', 'S3.3'])('matches Security Hub %s FAILED', (control) => {
    expect(routed({ ...fixtureS38, control })).toBe('aws-s3-data-exposure');
  });

  it('does not match a control check in WARNING or NOT_AVAILABLE', () => {
    expect(routed({ ...fixtureS38, complianceStatus: 'warning' })).toBeNull();
    expect(routed({ ...fixtureS38, complianceStatus: 'not_available' })).toBeNull();
  });

  it('does not match a GuardDuty S3 type from another cloud\'s source', () => {
    expect(routed(finding({ source: 'defender', type: 'Policy:S3/BucketAnonymousAccessGranted', resources: [bucket] }))).toBeNull();
  });
});

describe('azure playbooks', () => {
  it('routes Defender for Servers alerts on a VM to azure-vm-compromise', () => {
    expect(routed(defenderAlert())).toBe('azure-vm-compromise');
    expect(routed(defenderAlert({ type: 'VM_SuspectExecutablePath', severity: 'medium' }))).toBe('azure-vm-compromise');
    expect(routed(defenderAlert({ type: 'VM.Windows_PetyaRansomware' }))).toBe('azure-vm-compromise');
    expect(routed(defenderAlert({ type: 'SIMULATED_VM_SuspectExecutablePath', sample: true }))).toBe('azure-vm-compromise');
  });

  it('leaves informational and low VM alerts, and VM alerts without a VM, to people', () => {
    expect(routed(defenderAlert({ type: 'VM_AdaptiveApplicationControlLinuxViolationAudited', severity: 'informational' }))).toBeNull();
    expect(routed(defenderAlert({ severity: 'low' }))).toBeNull();
    expect(routed(defenderAlert({ resources: [] }))).toBeNull();
  });

  it('routes Defender for Storage blob alerts to azure-storage-exposure', () => {
    const storage = [{ type: 'Microsoft.Storage/storageAccounts', id: STORAGE_ID, tags: {} }];
    expect(routed(defenderAlert({ type: 'Storage.Blob_AnonymousAccessAnomaly', resources: storage }))).toBe('azure-storage-exposure');
    expect(routed(defenderAlert({ type: 'Storage.Blob_DataExfiltration.AmountOfDataAnomaly', severity: 'low', resources: storage }))).toBe(
      'azure-storage-exposure',
    );
    expect(routed(defenderAlert({ type: 'Storage.Files_SuspiciousIp', resources: storage }))).toBeNull();
  });

  it('routes Graph alerts naming an Entra user to azure-identity-compromise', () => {
    expect(routed(graphAlert())).toBe('azure-identity-compromise');
    expect(routed(graphAlert({ type: 'Exfiltration', severity: 'medium' }))).toBe('azure-identity-compromise');
    expect(routed(graphAlert({ severity: 'low' }))).toBeNull();
  });

  it('routes Graph (Defender XDR) alerts whose evidence names an Azure VM to azure-vm-compromise (issue 12)', () => {
    expect(routed(graphAlert({ resources: [{ type: 'Microsoft.Compute/virtualMachines', id: VM_ID, tags: {} }] }))).toBe('azure-vm-compromise');
    expect(routed(graphAlert({ severity: 'low', resources: [{ type: 'Microsoft.Compute/virtualMachines', id: VM_ID, tags: {} }] }))).toBeNull();
  });

  it('prefers the VM playbook when a Defender VM alert also names a user', () => {
    const both = defenderAlert({ resources: [...defenderAlert().resources, { type: 'Microsoft.Graph/users', id: USER_ID, tags: {} }] });
    expect(routed(both)).toBe('azure-vm-compromise');
  });
});

describe('closed findings match nothing, even when a playbook asks for them', () => {
  const greedy: Playbook = PlaybookSchema.parse({
    id: 'greedy',
    title: 'asks for every state',
    description: 'test',
    cloud: 'aws',
    match: { source: ['guardduty', 'securityhub'], recordState: ['ACTIVE'], workflowStatus: ['NEW', 'NOTIFIED'] },
    steps: [{ action: 'quarantine-instance' }],
  });

  it.each<[string, Partial<Finding>]>([
    ['archived', { recordState: 'archived' }],
    ['resolved', { workflowStatus: 'resolved' }],
    ['suppressed', { workflowStatus: 'suppressed' }],
    ['passed', { complianceStatus: 'passed' }],
  ])('%s', (_name, state) => {
    const f = finding(state);
    expect(isTerminal(f)).toBe(true);
    expect(routeFinding(f, [greedy])).toBeNull();
    expect(routeFinding(f, playbooks)).toBeNull();
  });

  it('a NOTIFIED finding still routes (Cordon itself sets NOTIFIED)', () => {
    expect(routed(finding({ workflowStatus: 'notified' }))).toBe('aws-ec2-compromise');
  });
});

describe('priority', () => {
  const make = (id: string, priority: number): Playbook =>
    PlaybookSchema.parse({
      id,
      title: id,
      description: id,
      priority,
      cloud: 'aws',
      match: { source: ['guardduty'], types: ['Backdoor:EC2/*'] },
      steps: [{ action: 'quarantine-instance' }],
    });

  it('lower priority wins; ties go to the smaller id, whatever the input order', () => {
    expect(routeFinding(finding(), [make('zeta', 50), make('alpha', 100)])?.id).toBe('zeta');
    expect(routeFinding(finding(), [make('zeta', 100), make('beta', 100), make('alpha-two', 100)])?.id).toBe('alpha-two');
  });

  it('globs treat regex characters literally', () => {
    const dotted = PlaybookSchema.parse({
      id: 'dotted',
      title: 'd',
      description: 'd',
      cloud: 'aws',
      match: { source: ['guardduty'], types: ['Trojan:EC2/DGADomainRequest.B'] },
      steps: [{ action: 'quarantine-instance' }],
    });
    expect(routeFinding(finding({ type: 'Trojan:EC2/DGADomainRequest.B' }), [dotted])?.id).toBe('dotted');
    expect(routeFinding(finding({ type: 'Trojan:EC2/DGADomainRequestXB' }), [dotted])).toBeNull();
  });
});
