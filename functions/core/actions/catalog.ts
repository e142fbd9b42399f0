import type { ActionName } from '../model.js';
import type { ActionSpec } from './types.js';

/**
 * The one place an action's static facts live. The planner reads targets and phases,
 * the infra derives least-privilege policies from `permissions`, the CLI prints `summary`.
 */
export const ACTION_CATALOG: { readonly [K in ActionName]: ActionSpec & { name: K } } = {
  'quarantine-instance': {
    name: 'quarantine-instance',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsEc2Instance'],
    summary: 'Replace the instance\'s security groups with a rule-less isolation group, enable termination protection, tag it',
    permissions: [
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeSecurityGroups',
      'ec2:CreateSecurityGroup',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:ModifyInstanceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:CreateTags',
    ],
  },
  'snapshot-volumes': {
    name: 'snapshot-volumes',
    cloud: 'aws',
    phase: 'preserve',
    targets: ['AwsEc2Instance'],
    summary: 'Take a crash-consistent, tagged snapshot of every attached EBS volume',
    permissions: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots', 'ec2:CreateSnapshots', 'ec2:CreateTags'],
  },
  'revoke-role-sessions': {
    name: 'revoke-role-sessions',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsIamRole'],
    summary: 'Deny every session issued before now with an inline policy on aws:TokenIssueTime',
    permissions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy'],
  },
  'deactivate-access-key': {
    name: 'deactivate-access-key',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsIamAccessKey'],
    summary: 'Set the access key Inactive',
    permissions: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:UpdateAccessKey'],
  },
  'block-s3-public-access': {
    name: 'block-s3-public-access',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsS3Bucket'],
    summary: 'Turn on all four S3 Block Public Access settings, recording the previous ones',
    permissions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
  },
  'update-finding': {
    name: 'update-finding',
    cloud: 'aws',
    phase: 'notify',
    targets: ['finding'],
    summary: 'Set the Security Hub finding\'s workflow status to NOTIFIED with a note naming the incident',
    permissions: ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'],
  },
  'quarantine-vm': {
    name: 'quarantine-vm',
    cloud: 'azure',
    phase: 'contain',
    targets: ['Microsoft.Compute/virtualMachines'],
    summary: 'Associate a deny-all network security group with each of the VM\'s NICs, recording the original ones',
    permissions: [
      'Microsoft.Compute/virtualMachines/read',
      'Microsoft.Network/networkInterfaces/read',
      'Microsoft.Network/networkInterfaces/write',
      'Microsoft.Network/networkSecurityGroups/read',
      'Microsoft.Network/networkSecurityGroups/write',
      'Microsoft.Network/networkSecurityGroups/join/action',
    ],
  },
  'snapshot-disks': {
    name: 'snapshot-disks',
    cloud: 'azure',
    phase: 'preserve',
    targets: ['Microsoft.Compute/virtualMachines'],
    summary: 'Take a tagged, incremental snapshot of the VM\'s OS and data disks',
    permissions: [
      'Microsoft.Compute/virtualMachines/read',
      'Microsoft.Compute/disks/read',
      'Microsoft.Compute/snapshots/read',
      'Microsoft.Compute/snapshots/write',
    ],
  },
  'revoke-user-sessions': {
    name: 'revoke-user-sessions',
    cloud: 'azure',
    phase: 'contain',
    targets: ['Microsoft.Graph/users'],
    summary: 'Revoke the Entra user\'s refresh tokens and session cookies (Graph revokeSignInSessions)',
    // User.Read.All: the action reads signInSessionsValidFromDateTime before and after revoking.
    permissions: ['graph:User.RevokeSessions.All', 'graph:User.Read.All'],
  },
  'block-storage-public-access': {
    name: 'block-storage-public-access',
    cloud: 'azure',
    phase: 'contain',
    targets: ['Microsoft.Storage/storageAccounts'],
    summary: 'Set allowBlobPublicAccess to false on the storage account, recording the previous value',
    permissions: ['Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/write'],
  },
  'update-alert': {
    name: 'update-alert',
    cloud: 'azure',
    phase: 'notify',
    targets: ['finding'],
    summary: 'Mark the Defender for Cloud alert InProgress, naming the incident',
    permissions: ['Microsoft.Security/locations/alerts/read', 'Microsoft.Security/locations/alerts/inProgress/action'],
  },
  'open-clock': {
    name: 'open-clock',
    cloud: 'cordon',
    phase: 'notify',
    targets: ['incident'],
    summary: 'Open the GDPR Art. 33 72-hour clock (and NIS2 Art. 23 clocks where in scope)',
    permissions: [],
  },
};

export function actionSpec(name: ActionName): ActionSpec {
  return ACTION_CATALOG[name];
}
