import type { ActionSpec, Permission, PermissionGrant } from './types.js';

/**
 * The tag `quarantine-instance` puts on the isolation group when it creates it: the IAM grants
 * below allow rule changes on that group only, and let the group be created only carrying it.
 */
export const ISOLATION_TAG = { key: 'cordon:purpose', value: 'isolation' } as const;

// ARN templates; the infra fills in `{partition}` and `{account}` (regions are `*` because the
// action runner acts in the finding's region).
const ec2 = (type: string) => `arn:{partition}:ec2:*:{account}:${type}/*`;
// EBS snapshot ARNs carry no account id.
const SNAPSHOT = 'arn:{partition}:ec2:*::snapshot/*';
// The forensic copy's key lives in the forensic account (or this one): known only from the operator's settings.
const FORENSIC_KEY = 'arn:{partition}:kms:*:*:key/*';
const ROLE = 'arn:{partition}:iam::{account}:role/*';
const USER = 'arn:{partition}:iam::{account}:user/*';
const BUCKET = 'arn:{partition}:s3:::*';
const INSTANCE_PROFILE = 'arn:{partition}:iam::{account}:instance-profile/*';
const AUTO_SCALING_GROUP = 'arn:{partition}:autoscaling:*:{account}:autoScalingGroup:*:autoScalingGroupName/*';
const HUB = 'arn:{partition}:securityhub:*:{account}:hub/default';

/** An IAM action scoped to `resources`; `why` says why the wildcard in them is unavoidable. */
const iam = (action: string, resources: readonly string[], why: string, conditions?: PermissionGrant['conditions']): Permission => ({
  action,
  grants: [{ resources, ...(conditions ? { conditions } : {}) }],
  why,
});
const DESCRIBE_WHY =
  'EC2 Describe* actions are read-only and scoped to "*" (most support no resource-level permissions); the runner reads the instance and its groups before acting.';
const describe = (action: string) => iam(action, ['*'], DESCRIBE_WHY);
const isolationGroupOnly = (action: string) =>
  iam(
    action,
    [ec2('security-group')],
    'Empties the isolation group (id known only at run time); the tag condition limits it to groups Cordon created for isolation.',
    { StringEquals: { [`aws:ResourceTag/${ISOLATION_TAG.key}`]: ISOLATION_TAG.value } },
  );
/** Every step reads its target's tags just before it acts (engine/live-check.ts); EC2's come with DescribeInstances. */
const LIVE_TAGS_WHY = 'Reads the target\'s cordon:exempt / cordon:approval tags as they are now, just before acting (the target is known only at run time).';
/** Azure RBAC operations and Graph permissions: the role is assigned at a scope, so they carry none here. */
const rbac = (...actions: string[]): Permission[] => actions.map((action) => ({ action }));

/**
 * The one place an action's static facts live: targets and phase (the planner), permissions
 * with their scopes and conditions (the infra derives least privilege from them), the mutating
 * call (fault tests), unsupported-target hints and unfit targets (the planner), whether it can
 * be released, and the summary the CLI prints. `ActionName` is derived from the keys.
 */
const CATALOG = {
  'quarantine-instance': {
    name: 'quarantine-instance',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsEc2Instance'],
    summary:
      'Move every network interface to an allow-all group (tracked flows become untracked), then to a rule-less isolation group; lower the connection-tracking timeouts; termination protection (not Spot), shutdown behaviour stop, DeleteOnTermination off; tag it',
    permissions: [
      describe('ec2:DescribeInstances'),
      describe('ec2:DescribeInstanceAttribute'),
      describe('ec2:DescribeSecurityGroups'),
      {
        action: 'ec2:CreateSecurityGroup',
        grants: [
          { resources: [ec2('vpc')] },
          { resources: [ec2('security-group')], conditions: { StringEquals: { [`aws:RequestTag/${ISOLATION_TAG.key}`]: ISOLATION_TAG.value } } },
        ],
        why: 'The isolation group is created in whichever VPC the compromised instance runs in, known only at run time; it must carry the isolation tag.',
      },
      isolationGroupOnly('ec2:RevokeSecurityGroupEgress'),
      isolationGroupOnly('ec2:RevokeSecurityGroupIngress'),
      // The untrack group carries the isolation tag too: allow-all rules only ever go on a Cordon group.
      isolationGroupOnly('ec2:AuthorizeSecurityGroupIngress'),
      isolationGroupOnly('ec2:AuthorizeSecurityGroupEgress'),
      iam(
        'ec2:ModifyInstanceAttribute',
        [ec2('instance'), ec2('security-group')],
        'The compromised instance (termination protection, shutdown behaviour, DeleteOnTermination, the fallback group swap) and its isolation group are known only at run time.',
      ),
      iam(
        'ec2:ModifyNetworkInterfaceAttribute',
        [ec2('network-interface'), ec2('security-group')],
        'Moves each network interface of the compromised instance (known only at run time) through the untrack group into the isolation group, and lowers its connection-tracking timeouts.',
      ),
      iam('ec2:CreateTags', [ec2('instance'), ec2('security-group')], 'Tags the compromised instance and its isolation group with the incident.'),
    ],
    // The group swaps: the calls that close the attacker's flows.
    mutatingCall: 'ec2:ModifyNetworkInterfaceAttribute',
    releasable: true,
  },
  'snapshot-volumes': {
    name: 'snapshot-volumes',
    cloud: 'aws',
    phase: 'preserve',
    targets: ['AwsEc2Instance'],
    summary: 'Take a crash-consistent, tagged snapshot of every attached EBS volume, lock it (EBS snapshot lock) and, where configured, copy it re-encrypted for the forensic account',
    permissions: [
      describe('ec2:DescribeInstances'),
      describe('ec2:DescribeSnapshots'),
      describe('ec2:DescribeLockedSnapshots'),
      describe('ec2:DescribeSnapshotAttribute'),
      iam('ec2:CreateSnapshots', [ec2('instance'), ec2('volume'), SNAPSHOT], 'Snapshots every volume of the compromised instance, known only at run time.'),
      iam('ec2:CreateTags', [SNAPSHOT], 'Tags the evidence snapshots (ids known only at run time) with the incident.'),
      iam('ec2:LockSnapshot', [SNAPSHOT], 'Locks the evidence snapshots and their forensic copies (ids known only at run time) against deletion.'),
      iam('ec2:CopySnapshot', [SNAPSHOT], 'Copies each evidence snapshot (id known only at run time) under the forensic KMS key.'),
      iam('ec2:ModifySnapshotAttribute', [SNAPSHOT], 'Shares the forensic copy (id known only at run time) with the forensic account.'),
      // CopySnapshot under a customer managed key: EC2 uses the key on the caller's behalf.
      ...['kms:DescribeKey', 'kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:Decrypt'].map((action) =>
        iam(action, [FORENSIC_KEY], 'The forensic KMS key is the operator\'s setting (another account\'s key); only EC2 may use it on the runner\'s behalf.', {
          StringLike: { 'kms:ViaService': 'ec2.*.amazonaws.com' },
        }),
      ),
    ],
    mutatingCall: 'ec2:CreateSnapshots',
    releasable: false,
  },
  'revoke-role-sessions': {
    name: 'revoke-role-sessions',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsIamRole'],
    summary: 'Deny every session of the role issued before now with an inline policy on aws:TokenIssueTime (an older cutoff moves to now; service-linked and Identity Center roles refused with guidance)',
    permissions: [
      iam('iam:GetRole', [ROLE], 'The compromised role is named by the finding, known only at run time.'),
      iam('iam:ListRoleTags', [ROLE], LIVE_TAGS_WHY),
      iam('iam:GetRolePolicy', [ROLE], 'Reads the revocation policy back on the compromised role, known only at run time.'),
      iam('iam:PutRolePolicy', [ROLE], 'Attaches the token-issue-time deny policy to the compromised role, known only at run time.'),
    ],
    mutatingCall: 'iam:PutRolePolicy',
    releasable: true,
  },
  'deactivate-access-key': {
    name: 'deactivate-access-key',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsIamAccessKey'],
    summary: 'Set the access key Inactive',
    permissions: [
      iam('iam:GetAccessKeyLastUsed', [USER], 'The owner of the compromised access key is known only at run time.'),
      iam('iam:ListAccessKeys', [USER], 'The owner of the compromised access key is known only at run time.'),
      iam('iam:ListUserTags', [USER], LIVE_TAGS_WHY),
      iam('iam:UpdateAccessKey', [USER], 'Deactivates the compromised access key, whose owner is known only at run time.'),
    ],
    mutatingCall: 'iam:UpdateAccessKey',
    unfitTarget: (target) =>
      target.details?.['userType'] === 'Root'
        ? `${target.id} is a root access key: only the account owner can deactivate it (revoke-user-credentials escalates with guidance)`
        : target.id.startsWith('ASIA')
        ? `${target.id} is a temporary (STS) key, which cannot be deactivated; the token-issue-time deny of revoke-role-sessions (a role's) or revoke-user-credentials (a user's) ends it`
        : undefined,
    releasable: true,
  },
  'block-s3-public-access': {
    name: 'block-s3-public-access',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsS3Bucket'],
    summary: 'Turn on all four S3 Block Public Access settings, recording the previous ones',
    permissions: [
      iam('s3:GetBucketTagging', [BUCKET], LIVE_TAGS_WHY),
      iam('s3:GetBucketPublicAccessBlock', [BUCKET], 'The exposed bucket is named by the finding, known only at run time (bucket ARNs carry no account id).'),
      iam('s3:PutBucketPublicAccessBlock', [BUCKET], 'Blocks public access on the exposed bucket, known only at run time (bucket ARNs carry no account id).'),
    ],
    // The S3 API operation; its IAM action is s3:PutBucketPublicAccessBlock.
    mutatingCall: 's3:PutPublicAccessBlock',
    unsupportedHints: { AwsAccount: 'an account-level finding (e.g. Security Hub S3.1): block-account-public-access takes it' },
    releasable: true,
  },
  'block-account-public-access': {
    name: 'block-account-public-access',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsAccount'],
    summary: 'Turn on all four account-level S3 Block Public Access settings (S3 Control), recording the previous ones',
    permissions: [
      iam('s3:GetAccountPublicAccessBlock', ['*'], 'Account-level Block Public Access is an account setting: the IAM action supports no resource ARN.'),
      iam('s3:PutAccountPublicAccessBlock', ['*'], 'Account-level Block Public Access is an account setting: the IAM action supports no resource ARN.'),
    ],
    // The operation as the estate names S3 Control's PutPublicAccessBlock (its IAM action).
    mutatingCall: 's3:PutAccountPublicAccessBlock',
    releasable: true,
  },
  'isolate-subnet': {
    name: 'isolate-subnet',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsEc2Instance'],
    summary: 'Associate the instance\'s subnet with a deny-all network ACL: cuts the flows that stay tracked (ICMP, NAT gateway, load balancers), subnet-wide — only with a person\'s approval',
    permissions: [
      describe('ec2:DescribeInstances'),
      describe('ec2:DescribeNetworkAcls'),
      {
        action: 'ec2:CreateNetworkAcl',
        grants: [
          { resources: [ec2('vpc')] },
          { resources: [ec2('network-acl')], conditions: { StringEquals: { [`aws:RequestTag/${ISOLATION_TAG.key}`]: ISOLATION_TAG.value } } },
        ],
        why: 'The deny-all ACL is created in whichever VPC the compromised instance runs in, known only at run time; it must carry the isolation tag.',
      },
      iam('ec2:CreateTags', [ec2('network-acl')], 'Tags the deny-all network ACL as it is created (ids known only at run time).', { StringEquals: { 'ec2:CreateAction': 'CreateNetworkAcl' } }),
      iam('ec2:ReplaceNetworkAclAssociation', [ec2('network-acl'), ec2('subnet')], 'Moves the compromised instance\'s subnet (known only at run time) onto the deny-all ACL, and back on release.'),
    ],
    mutatingCall: 'ec2:ReplaceNetworkAclAssociation',
    // Subnet-wide: every instance of the subnet loses its network.
    approval: 'required',
    releasable: true,
  },
  'detach-from-autoscaling': {
    name: 'detach-from-autoscaling',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsEc2Instance'],
    summary: 'Put an Auto Scaling instance in Standby with scale-in protection: out of its load balancers, never replaced for failing health checks',
    permissions: [
      iam('autoscaling:DescribeAutoScalingInstances', ['*'], 'EC2 Auto Scaling Describe* actions support no resource-level permissions.'),
      iam('autoscaling:DescribeAutoScalingGroups', ['*'], 'EC2 Auto Scaling Describe* actions support no resource-level permissions.'),
      iam('autoscaling:EnterStandby', [AUTO_SCALING_GROUP], 'The group of the compromised instance is known only at run time.'),
      iam('autoscaling:SetInstanceProtection', [AUTO_SCALING_GROUP], 'The group of the compromised instance is known only at run time.'),
      iam('autoscaling:ExitStandby', [AUTO_SCALING_GROUP], 'Release returns the instance to service in its group, known only at run time.'),
    ],
    mutatingCall: 'autoscaling:EnterStandby',
    releasable: true,
  },
  'revoke-instance-credentials': {
    name: 'revoke-instance-credentials',
    cloud: 'aws',
    phase: 'contain',
    targets: ['AwsEc2Instance'],
    summary: 'Deny every credential of this instance on its role (ec2:SourceInstanceARN) and disassociate its instance profile; the role\'s other instances keep working',
    permissions: [
      describe('ec2:DescribeInstances'),
      describe('ec2:DescribeIamInstanceProfileAssociations'),
      iam('ec2:DisassociateIamInstanceProfile', [ec2('instance')], 'The compromised instance is known only at run time.'),
      iam('ec2:CreateTags', [ec2('instance')], 'Tags the compromised instance with the incident and the role that denies its credentials.'),
      iam('ec2:AssociateIamInstanceProfile', [ec2('instance')], 'Release associates the recorded profile again with the instance, known only at run time.'),
      iam('iam:PassRole', [ROLE], 'Release passes the recorded profile\'s role back to the instance; the role is known only at run time.', { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }),
      iam('iam:GetInstanceProfile', [INSTANCE_PROFILE], 'The instance profile of the compromised instance is known only at run time.'),
      iam('iam:GetRolePolicy', [ROLE], 'Reads the instance deny back on the profile\'s role, known only at run time.'),
      iam('iam:PutRolePolicy', [ROLE], 'Attaches the instance deny to the profile\'s role, known only at run time.'),
      iam('iam:DeleteRolePolicy', [ROLE], 'Release removes the instance deny from the profile\'s role, known only at run time.'),
    ],
    mutatingCall: 'iam:PutRolePolicy',
    releasable: true,
  },
  'revoke-user-credentials': {
    name: 'revoke-user-credentials',
    cloud: 'aws',
    phase: 'contain',
    // AwsAccount: the root user, refused with guidance (only the account owner can end root credentials).
    targets: ['AwsIamUser', 'AwsAccount'],
    summary: 'Deny the IAM user\'s sessions issued before now (aws:TokenIssueTime), set every active access key Inactive, remove the console password',
    permissions: [
      iam('iam:GetUser', [USER], 'The compromised user is named by the finding, known only at run time.'),
      iam('iam:ListUserTags', [USER], LIVE_TAGS_WHY),
      iam('iam:GetUserPolicy', [USER], 'Reads the revocation policy back on the compromised user, known only at run time.'),
      iam('iam:PutUserPolicy', [USER], 'Attaches the token-issue-time deny to the compromised user, known only at run time.'),
      iam('iam:DeleteUserPolicy', [USER], 'Release removes the revocation policy of this incident from the user, known only at run time.'),
      iam('iam:ListAccessKeys', [USER], 'Lists the compromised user\'s access keys, known only at run time.'),
      iam('iam:UpdateAccessKey', [USER], 'Sets the compromised user\'s access keys Inactive (Active again on release).'),
      iam('iam:GetLoginProfile', [USER], 'Reads whether the compromised user has a console password.'),
      iam('iam:DeleteLoginProfile', [USER], 'Removes the compromised user\'s console password.'),
    ],
    mutatingCall: 'iam:PutUserPolicy',
    releasable: true,
  },
  'update-finding': {
    name: 'update-finding',
    cloud: 'aws',
    phase: 'notify',
    targets: ['finding'],
    summary: 'Set the Security Hub finding\'s workflow status to NOTIFIED with a note naming the incident',
    permissions: [
      iam('securityhub:GetFindings', [HUB], 'Reads the finding back in the Security Hub of whichever region it came from.'),
      iam('securityhub:BatchUpdateFindings', [HUB], 'Updates findings in the Security Hub of whichever region the finding came from.'),
    ],
    mutatingCall: 'securityhub:BatchUpdateFindings',
    releasable: true,
  },
  'quarantine-vm': {
    name: 'quarantine-vm',
    cloud: 'azure',
    phase: 'contain',
    targets: ['Microsoft.Compute/virtualMachines'],
    summary: 'Associate a deny-all network security group with each of the VM\'s NICs, recording the original ones',
    permissions: rbac(
      'Microsoft.Compute/virtualMachines/read',
      'Microsoft.Network/networkInterfaces/read',
      'Microsoft.Network/networkInterfaces/write',
      'Microsoft.Network/networkSecurityGroups/read',
      'Microsoft.Network/networkSecurityGroups/write',
      'Microsoft.Network/networkSecurityGroups/join/action',
    ),
    mutatingCall: 'Microsoft.Network/networkInterfaces/write',
    releasable: true,
  },
  'snapshot-disks': {
    name: 'snapshot-disks',
    cloud: 'azure',
    phase: 'preserve',
    targets: ['Microsoft.Compute/virtualMachines'],
    summary: 'Take a tagged, incremental snapshot of the VM\'s OS and data disks, closed to network access (DenyAll) and locked (CanNotDelete)',
    permissions: rbac(
      'Microsoft.Compute/virtualMachines/read',
      'Microsoft.Compute/disks/read',
      'Microsoft.Compute/snapshots/read',
      'Microsoft.Compute/snapshots/write',
      'Microsoft.Authorization/locks/read',
      'Microsoft.Authorization/locks/write',
    ),
    mutatingCall: 'Microsoft.Compute/snapshots/write',
    releasable: false,
  },
  'revoke-user-sessions': {
    name: 'revoke-user-sessions',
    cloud: 'azure',
    phase: 'contain',
    targets: ['Microsoft.Graph/users'],
    summary: 'Revoke the Entra user\'s refresh tokens and session cookies (Graph revokeSignInSessions)',
    // User.Read.All: the action reads signInSessionsValidFromDateTime before and after revoking.
    permissions: rbac('graph:User.RevokeSessions.All', 'graph:User.Read.All'),
    mutatingCall: 'graph:revokeSignInSessions',
    releasable: true,
  },
  'disable-user': {
    name: 'disable-user',
    cloud: 'azure',
    phase: 'contain',
    targets: ['Microsoft.Graph/users'],
    summary: 'Disable the Entra user (accountEnabled: false: no sign-in, no token refresh), recording the previous value; runs before revoke-user-sessions',
    // User.Read.All: the action reads accountEnabled before and after.
    permissions: rbac('graph:User.EnableDisableAccount.All', 'graph:User.Read.All'),
    mutatingCall: 'graph:updateUser',
    // DESIGN §3: only a user the alert marks compromised (Graph evidence role `compromised`) is disabled.
    unfitTarget: (target) =>
      target.details?.['compromised'] === 'true' ? undefined : `the alert does not mark ${target.id} compromised: the account stays enabled (its sessions are still revoked)`,
    releasable: true,
  },
  'block-storage-public-access': {
    name: 'block-storage-public-access',
    cloud: 'azure',
    phase: 'contain',
    targets: ['Microsoft.Storage/storageAccounts'],
    summary: 'Set allowBlobPublicAccess to false on the storage account, recording the previous value',
    permissions: rbac('Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/write'),
    mutatingCall: 'Microsoft.Storage/storageAccounts/write',
    releasable: true,
  },
  'rotate-storage-keys': {
    name: 'rotate-storage-keys',
    cloud: 'azure',
    phase: 'contain',
    targets: ['Microsoft.Storage/storageAccounts'],
    summary: 'Regenerate both storage account keys (every SAS they signed dies) and disable shared-key access, recording the previous setting; waits for approval',
    permissions: rbac('Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/write', 'Microsoft.Storage/storageAccounts/regeneratekey/action'),
    mutatingCall: 'Microsoft.Storage/storageAccounts/regenerateKey/action',
    // Applications that use the keys or their SAS break until they get the new ones: a person decides.
    approval: 'required',
    // DESIGN §8: only storage the alert shows reached with a key or a SAS (Defender for Storage "Authentication type").
    unfitTarget: (target) => {
      const auth = target.details?.['authentication'];
      return auth !== undefined && /\bSAS\b|shared access signature|account key|shared key|storage key|access key/i.test(auth)
        ? undefined
        : `the alert does not show ${target.id} reached with an account key or SAS${auth ? ` (authentication: ${auth})` : ''}: its keys are left alone`;
    },
    releasable: true,
  },
  'update-alert': {
    name: 'update-alert',
    cloud: 'azure',
    phase: 'notify',
    targets: ['finding'],
    summary: 'Mark the Defender for Cloud alert InProgress, naming the incident',
    permissions: rbac('Microsoft.Security/locations/alerts/read', 'Microsoft.Security/locations/alerts/inProgress/action'),
    mutatingCall: 'Microsoft.Security/locations/alerts/inProgress/action',
    releasable: true,
  },
  'open-clock': {
    name: 'open-clock',
    cloud: 'cordon',
    phase: 'notify',
    targets: ['incident'],
    summary: 'Open the GDPR Art. 33 72-hour clock (and NIS2 Art. 23 clocks where in scope)',
    permissions: [],
    releasable: true,
  },
} as const satisfies { readonly [name: string]: ActionSpec<string> };

/** Action names (DESIGN.md §3), derived from the catalog. */
export type ActionName = keyof typeof CATALOG;

export const ACTION_CATALOG: { readonly [K in ActionName]: ActionSpec<K> } = CATALOG;

/** Every action name, in catalog order (for zod enums). */
export const ACTION_NAMES = Object.keys(CATALOG) as [ActionName, ...ActionName[]];

export function actionSpec(name: ActionName): ActionSpec {
  return ACTION_CATALOG[name];
}
