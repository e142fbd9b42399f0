import type { ReportModel } from '../../../functions/report/model.js';
import { stepId } from '../../../functions/core/incident-id.js';

const INSTANCE = 'arn:aws:ec2:us-east-1:123456789012:instance/i-99999999';
const BUCKET = 'arn:aws:s3:::example-customer-exports';

/**
 * A tabletop of two findings: GuardDuty's CryptoCurrency:EC2/BitcoinTool.B!DNS sample (ids as in
 * AWS's published sample findings) and a Security Hub S3.8 control failure, with the S3 step
 * failing under an injected fault so the report shows an escalation.
 */
export function sampleReportModel(): ReportModel {
  return {
    run: {
      mode: 'tabletop',
      speed: 3600,
      startedAt: '2024-03-30T22:20:00.000Z',
      finishedAt: '2024-03-30T22:20:02.400Z',
      estate: 'estates/default.json',
      inputs: ['guardduty-bitcoin-dns.json', 'securityhub-s3.8.json'],
      faults: 's3:PutBucketPublicAccessBlock=error',
    },
    generatedAt: '2024-03-30T22:20:02.500Z',
    audit: { records: 14, head: '9f2c6b1e8d3a47c5b0e1f2a3d4c5b6a798877665544332211ffeeddccbbaa0099', verified: true },
    incidents: [
      {
        id: 'inc-4f3c2b1a09876543',
        status: 'contained',
        escalated: false,
        eviction: { footholds: [{ kind: 'instance-metadata', id: 'i-99999999:instance-profile', open: false, closedBy: 'revoke-instance-credentials' }], open: 0 },
        evidenceAtRisk: [],
        playbook: 'aws-ec2-compromise',
        findingSha256: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
        finding: {
          id: '7cc5d8cfd5b1e8e8d0a4b0f1e2d3c4b5',
          source: 'guardduty',
          cloud: 'aws',
          type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
          title: 'EC2 instance i-99999999 is querying a domain name that is associated with Bitcoin-related activity.',
          severity: 'high',
          account: '123456789012',
          region: 'us-east-1',
          observedAt: '2024-03-30T22:05:41.000Z',
          sample: false,
          resources: [{ type: 'AwsEc2Instance', id: INSTANCE, tags: { Name: 'web-frontend-1' } }],
        },
        steps: [
          { id: stepId('quarantine-instance', { id: INSTANCE }), action: 'quarantine-instance', target: { type: 'AwsEc2Instance', id: INSTANCE }, phase: 'contain', status: 'succeeded', calls: ['ec2:DescribeInstances', 'ec2:CreateSecurityGroup', 'ec2:RevokeSecurityGroupEgress', 'ec2:ModifyInstanceAttribute', 'ec2:ModifyInstanceAttribute', 'ec2:CreateTags'], startedAt: '2024-03-30T22:20:00.050Z', finishedAt: '2024-03-30T22:20:00.910Z' },
          { id: stepId('snapshot-volumes', { id: INSTANCE }), action: 'snapshot-volumes', target: { type: 'AwsEc2Instance', id: INSTANCE }, phase: 'preserve', status: 'succeeded', calls: ['ec2:DescribeInstances', 'ec2:CreateSnapshots'], startedAt: '2024-03-30T22:20:00.052Z', finishedAt: '2024-03-30T22:20:01.300Z' },
          { id: 'open-clock:inc-4f3c2b1a09876543', action: 'open-clock', target: { type: 'incident', id: 'inc-4f3c2b1a09876543' }, phase: 'notify', status: 'succeeded', calls: [], startedAt: '2024-03-30T22:20:01.310Z', finishedAt: '2024-03-30T22:20:01.320Z' },
        ],
        skipped: [],
        evidence: [
          { kind: 'isolation', id: 'sg-0c0rd0n1s0l4t10n', of: 'i-99999999', takenAt: '2024-03-30T22:20:00.900Z', tags: { 'cordon:incident': 'inc-4f3c2b1a09876543' } },
          { kind: 'original-config', id: 'i-99999999#security-groups', of: 'i-99999999', takenAt: '2024-03-30T22:20:00.400Z', tags: {}, details: { groups: ['sg-0web'] } },
          { kind: 'ebs-snapshot', id: 'snap-0a1b2c3d4e5f60718', of: 'vol-0123456789abcdef0', takenAt: '2024-03-30T22:20:01.290Z', tags: { 'cordon:incident': 'inc-4f3c2b1a09876543', 'cordon:volume': 'vol-0123456789abcdef0' } },
        ],
        clocks: [
          { regime: 'gdpr-art33', awareAt: '2024-03-30T22:20:00.000Z', deadline: '2024-04-02T22:20:00.000Z', state: 'open' },
          { regime: 'nis2-early-warning', awareAt: '2024-03-30T22:20:00.000Z', deadline: '2024-03-31T22:20:00.000Z', state: 'closed', outcome: 'not-notifiable', rationale: 'a test host with no service to others: not a significant incident', closedBy: 'ciso@example.eu', closedAt: '2024-03-31T08:00:00.000Z' },
        ],
        assessment: { personalData: 'yes', status: 'notifiable', basis: 'personal data: tag personal-data=customer-records on i-99999999', decidedBy: 'cordon', decidedAt: '2024-03-30T22:20:00.000Z' },
        escalations: [],
      },
      {
        id: 'inc-a1b2c3d4e5f60718',
        status: 'not-contained',
        escalated: true,
        eviction: { footholds: [{ kind: 'public-read', id: 's3://example (policy)', open: true, until: 'bucket or account Block Public Access (RestrictPublicBuckets)' }], open: 1 },
        playbook: 'aws-s3-data-exposure',
        finding: {
          id: 'arn:aws:securityhub:us-east-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.8/finding/01b1c2d3',
          source: 'securityhub',
          cloud: 'aws',
          type: 'Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices',
          title: 'S3 general purpose buckets should block public access',
          severity: 'high',
          account: '123456789012',
          region: 'us-east-1',
          observedAt: '2024-03-30T21:58:12.000Z',
          sample: false,
          control: 'S3.8',
          complianceStatus: 'failed',
          resources: [{ type: 'AwsS3Bucket', id: BUCKET, tags: { 'data-classification': 'personal' } }],
        },
        steps: [
          { id: `block-s3-public-access:${BUCKET}`, action: 'block-s3-public-access', target: { type: 'AwsS3Bucket', id: BUCKET }, phase: 'contain', status: 'failed', errorClass: 'Transient', reason: 'InternalError after 3 attempts', calls: ['s3:GetPublicAccessBlock', 's3:PutPublicAccessBlock', 's3:PutPublicAccessBlock', 's3:PutPublicAccessBlock'], startedAt: '2024-03-30T22:20:00.060Z', finishedAt: '2024-03-30T22:20:02.100Z' },
          { id: 'update-finding:01b1c2d3', action: 'update-finding', target: { type: 'finding', id: '01b1c2d3' }, phase: 'notify', status: 'succeeded', calls: ['securityhub:BatchUpdateFindings'], startedAt: '2024-03-30T22:20:02.110Z', finishedAt: '2024-03-30T22:20:02.300Z' },
        ],
        skipped: [],
        evidence: [],
        clocks: [
          { regime: 'gdpr-art33', awareAt: '2024-03-30T22:20:00.000Z', deadline: '2024-04-02T22:20:00.000Z', state: 'open' },
          { regime: 'nis2-early-warning', awareAt: '2024-03-30T22:20:00.000Z', deadline: '2024-03-31T22:20:00.000Z', state: 'open' },
          // Followed to its deadline by the tabletop's clock watch, in the exercise's compressed time.
          { regime: 'nis2-notification', awareAt: '2024-03-30T22:20:00.000Z', deadline: '2024-04-02T22:20:00.000Z', state: 'open', missedAt: '2024-04-02T22:20:00.000Z', remindersSent: [{ offsetHours: 4, sentAt: '2024-04-02T18:20:00.000Z' }] },
        ],
        escalations: [{ at: '2024-03-30T22:20:02.100Z', reason: 'block-s3-public-access failed (Transient): the bucket may still be public' }],
        personalData: { categories: ['customer names', 'e-mail addresses', 'order history'], approxRecords: 120000 },
      },
    ],
  };
}
