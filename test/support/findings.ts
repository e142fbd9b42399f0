import type { Finding, Resource } from '../../functions/core/model.js';

/**
 * Normalized findings for routing and planning tests. The `fixture*` ones mirror the public samples in
 * test/fixtures/public (copies of ../shared/fixtures/public; same ids, types, severities, resources, lifecycle fields), written out by
 * hand because ingest is built in parallel; the rest are realistic variants of the same shapes.
 */
export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'f-1',
    source: 'guardduty',
    cloud: 'aws',
    type: 'Backdoor:EC2/C&CActivity.B!DNS',
    title: 'EC2 instance is querying a command and control domain',
    severity: 'high',
    account: '111122223333',
    region: 'eu-west-1',
    observedAt: '2026-03-28T12:00:00.000Z',
    sample: false,
    resources: [instance('i-0abc1234def567890')],
    ...overrides,
  };
}

export function instance(id: string, tags: Record<string, string> = {}, account = '111122223333', region = 'eu-west-1'): Resource {
  return { type: 'AwsEc2Instance', id: `arn:aws:ec2:${region}:${account}:instance/${id}`, tags, account, region };
}

export function resource(type: string, id: string, tags: Record<string, string> = {}): Resource {
  return { type, id, tags };
}

const SAMPLE_INSTANCE_TAGS = { GeneratedFindingInstaceTag1: 'GeneratedFindingInstaceValue1' };

/** A GuardDuty console sample: placeholder instance i-99999999 with GeneratedFinding… tags. */
function guardDutySample(id: string, type: string, severity: Finding['severity'], account: string, region: string): Finding {
  return finding({ id, type, severity, account, region, sample: true, resources: [instance('i-99999999', SAMPLE_INSTANCE_TAGS, account, region)] });
}

/** guardduty/sample-Trojan.EC2-DGADomainRequest.B.bare.json */
export const fixtureTrojan = guardDutySample('10b3562e61fab7a3a1135aa3c68b3644', 'Trojan:EC2/DGADomainRequest.B', 'high', '000000000000', 'eu-west-1');

/** guardduty/sample-UnauthorizedAccess.EC2-SSHBruteForce.eventbridge.json (severity 2 → low) */
export const fixtureSshBruteForce = guardDutySample(
  '2ab35569068ee10579b5abdbe10e679f',
  'UnauthorizedAccess:EC2/SSHBruteForce',
  'low',
  '957132980467',
  'us-west-2',
);

/** guardduty/sample-Backdoor.EC2-DenialOfService.UdpOnTcpPorts.bare-array.json */
export const fixtureBackdoorDos = guardDutySample(
  '00be5f156ab3889054363980571f288e',
  'Backdoor:EC2/DenialOfService.UdpOnTcpPorts',
  'high',
  '123456789012',
  'us-east-1',
);

const AFSBP = 'Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices';
const CIS = 'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark';
const HUB = 'arn:aws:securityhub:us-east-1::product/aws/securityhub';

function control(
  control: string,
  severity: Finding['severity'],
  complianceStatus: NonNullable<Finding['complianceStatus']>,
  resources: Resource[],
  extra: Partial<Finding> = {},
): Finding {
  return finding({
    id: `arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-practices/v/1.0.0/${control}/finding/x`,
    source: 'securityhub',
    type: AFSBP,
    severity,
    account: '111111111111',
    region: 'us-east-1',
    resources,
    control,
    complianceStatus,
    recordState: 'active',
    workflowStatus: 'new',
    productArn: HUB,
    ...extra,
  });
}

/** securityhub/asr-simdata-*.json, by control. */
export const fixtureS38 = control('S3.8', 'high', 'failed', [resource('AwsS3Bucket', 'arn:aws:s3:::example')]);
export const fixtureS31 = control('S3.1', 'medium', 'failed', [resource('AwsAccount', 'AWS::::Account:111111111111')]);
export const fixtureS32 = control('S3.2', 'informational', 'passed', [resource('AwsS3Bucket', 'arn:aws:s3:::so0111-aws-cloudtrail-111111111111')], {
  type: 'Effects/Data Exposure/AWS-Foundational-Security-Best-Practices',
  workflowStatus: 'resolved',
});
export const fixtureS34 = control('S3.4', 'medium', 'failed', [resource('AwsS3Bucket', 'arn:aws:s3:::aes-siem-111111111111-snapshot')]);
export const fixtureEc22 = control('EC2.2', 'informational', 'failed', [
  resource('AwsEc2SecurityGroup', 'arn:aws:ec2:us-east-1:111111111111:security-group/sg-1234123f'),
]);
export const fixtureEc28 = control('EC2.8', 'high', 'failed', [
  resource('AwsEc2Instance', 'arn:aws:ec2:us-east-1:111111111111:instance/i-077c4d5f32561ac45'),
]);
export const fixtureIam8 = control('IAM.8', 'medium', 'failed', [resource('AwsIamUser', 'arn:aws:iam::111111111111:user/sharrtest')]);
export const fixtureIam8NoDetails = control('IAM.8', 'medium', 'failed', [
  resource('AwsIamUser', 'arn:aws:iam::111122223333:user/AIDACKCEVSQ6C2EXAMPLE'),
]);
export const fixtureCis23 = control('CIS.2.3', 'critical', 'warning', [resource('AwsS3Bucket', 'arn:aws:s3:::cloudtrail-awslogs-111111111111-kjfskljdfl')], {
  type: CIS,
});
export const fixtureCis28 = control('CIS.2.8', 'medium', 'failed', [
  resource('AwsKmsKey', 'arn:aws:kms:us-east-1:111111111111:key/f35e785d-f706-4cfa-b573-50076cc90024'),
], { type: CIS });
export const fixtureCis41 = control('CIS.4.1', 'high', 'failed', [
  resource('AwsEc2SecurityGroup', 'arn:aws:ec2:us-east-2:111111111111:security-group/sg-02cfbecbc814a3c24'),
], { type: CIS });

export const VM_ID = '/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1';
export const STORAGE_ID = '/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Storage/storageAccounts/stdata1';
export const USER_ID = '5e2a1c7b-1d3f-4c2a-9b8e-0f6d2c4a8e11';

/** A Defender for Cloud alert (shape of the REST reference's example, alert type VM_EICAR). */
export function defenderAlert(overrides: Partial<Finding> = {}): Finding {
  return finding({
    id: '2518770965529163669_F144EE95-A3E5-42DA-A279-967D115809AA',
    source: 'defender',
    cloud: 'azure',
    type: 'VM_EICAR',
    title: 'Azure Security Center test alert (not a threat)',
    severity: 'high',
    account: '20ff7fc3-e762-44dd-bd96-b71116dcdc23',
    region: 'westeurope',
    resources: [{ type: 'Microsoft.Compute/virtualMachines', id: VM_ID, tags: {}, account: '20ff7fc3-e762-44dd-bd96-b71116dcdc23' }],
    workflowStatus: 'new',
    recordState: 'active',
    alertResourceId: `/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Security/locations/westeurope/alerts/2518770965529163669_F144EE95`,
    ...overrides,
  });
}

/** A Microsoft Graph security alert (alerts_v2) whose evidence names an Entra user. */
export function graphAlert(overrides: Partial<Finding> = {}): Finding {
  return finding({
    id: 'da637551227677560813_-961444813',
    source: 'defender',
    cloud: 'azure',
    type: 'CredentialAccess',
    title: 'Suspicious sign-in activity',
    severity: 'high',
    account: 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c',
    region: '',
    resources: [{ type: 'Microsoft.Graph/users', id: USER_ID, tags: {} }],
    workflowStatus: 'new',
    alertResourceId: 'da637551227677560813_-961444813',
    ...overrides,
  });
}
