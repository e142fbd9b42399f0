import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ACTION_CATALOG } from '../functions/core/actions/catalog.js';

/** How ARNs are rendered: CloudFormation tokens in a stack, `<AWS::…>` in cdk-nag finding ids. */
export interface ArnParts {
  partition: string;
  account: string;
}

/**
 * The tag `quarantine-instance` puts on the isolation group when it creates it
 * (TagSpecifications in functions/actions/aws/quarantine-instance.ts): rule changes are
 * allowed on that group only, and the group may only be created carrying it.
 */
export const ISOLATION_TAG = { key: 'cordon:purpose', value: 'isolation' } as const;

type Conditions = Record<string, Record<string, string>>;
interface Grant {
  resources: string[];
  conditions?: Conditions;
}

/**
 * Where each IAM action the catalog declares may act. Regions are `*` because the action
 * runner acts in the finding's region; accounts are the one the policy lives in (the Cordon
 * account, or the member account for the responder role). `*` resources are only used for
 * actions that support no resource-level permission; `why` says so and becomes the
 * cdk-nag acknowledgement reason.
 */
interface Scope {
  grants: (p: ArnParts) => Grant[];
  why: string;
}

const ec2 = (p: ArnParts, type: string) => `arn:${p.partition}:ec2:*:${p.account}:${type}/*`;
// EBS snapshot ARNs carry no account id.
const snapshot = (p: ArnParts) => `arn:${p.partition}:ec2:*::snapshot/*`;
const on = (resources: (p: ArnParts) => string[], why: string): Scope => ({ grants: (p) => [{ resources: resources(p) }], why });
const isolationGroupOnly = (p: ArnParts): Grant[] => [
  { resources: [ec2(p, 'security-group')], conditions: { StringEquals: { [`aws:ResourceTag/${ISOLATION_TAG.key}`]: ISOLATION_TAG.value } } },
];

const DESCRIBE = on(
  () => ['*'],
  'EC2 Describe* actions are read-only and scoped to "*" (most support no resource-level permissions); the runner reads the instance and its groups before acting.',
);
const ROLE = (p: ArnParts) => [`arn:${p.partition}:iam::${p.account}:role/*`];
const USER = (p: ArnParts) => [`arn:${p.partition}:iam::${p.account}:user/*`];
const BUCKET = (p: ArnParts) => [`arn:${p.partition}:s3:::*`];
const HUB = (p: ArnParts) => [`arn:${p.partition}:securityhub:*:${p.account}:hub/default`];

const SCOPES: Readonly<Record<string, Scope>> = {
  'ec2:DescribeInstances': DESCRIBE,
  'ec2:DescribeInstanceAttribute': DESCRIBE,
  'ec2:DescribeSecurityGroups': DESCRIBE,
  'ec2:DescribeSnapshots': DESCRIBE,
  'ec2:CreateSecurityGroup': {
    grants: (p) => [
      { resources: [ec2(p, 'vpc')] },
      { resources: [ec2(p, 'security-group')], conditions: { StringEquals: { [`aws:RequestTag/${ISOLATION_TAG.key}`]: ISOLATION_TAG.value } } },
    ],
    why: 'The isolation group is created in whichever VPC the compromised instance runs in, known only at run time; it must carry the isolation tag.',
  },
  'ec2:RevokeSecurityGroupEgress': {
    grants: isolationGroupOnly,
    why: 'Empties the isolation group (id known only at run time); the tag condition limits it to groups Cordon created for isolation.',
  },
  'ec2:RevokeSecurityGroupIngress': {
    grants: isolationGroupOnly,
    why: 'Empties the isolation group (id known only at run time); the tag condition limits it to groups Cordon created for isolation.',
  },
  'ec2:ModifyInstanceAttribute': on(
    (p) => [ec2(p, 'instance'), ec2(p, 'security-group')],
    'The compromised instance and its isolation group are known only at run time.',
  ),
  'ec2:ModifyNetworkInterfaceAttribute': on(
    (p) => [ec2(p, 'network-interface'), ec2(p, 'security-group')],
    'Moves each network interface of the compromised instance (known only at run time) into the isolation group.',
  ),
  'ec2:CreateSnapshots': on(
    (p) => [ec2(p, 'instance'), ec2(p, 'volume'), snapshot(p)],
    'Snapshots every volume of the compromised instance, known only at run time.',
  ),
  'ec2:CreateTags': on(
    (p) => [ec2(p, 'instance'), ec2(p, 'security-group'), snapshot(p)],
    'Tags the compromised instance, its isolation group and its evidence snapshots with the incident.',
  ),
  'iam:GetRole': on(ROLE, 'The compromised role is named by the finding, known only at run time.'),
  'iam:GetRolePolicy': on(ROLE, 'Reads the revocation policy back on the compromised role, known only at run time.'),
  'iam:PutRolePolicy': on(ROLE, 'Attaches the token-issue-time deny policy to the compromised role, known only at run time.'),
  'iam:ListAccessKeys': on(USER, 'The owner of the compromised access key is known only at run time.'),
  'iam:GetAccessKeyLastUsed': on(USER, 'The owner of the compromised access key is known only at run time.'),
  'iam:UpdateAccessKey': on(USER, 'Deactivates the compromised access key, whose owner is known only at run time.'),
  's3:GetBucketPublicAccessBlock': on(BUCKET, 'The exposed bucket is named by the finding, known only at run time (bucket ARNs carry no account id).'),
  's3:PutBucketPublicAccessBlock': on(BUCKET, 'Blocks public access on the exposed bucket, known only at run time (bucket ARNs carry no account id).'),
  'securityhub:GetFindings': on(HUB, 'Reads the finding back in the Security Hub of whichever region it came from.'),
  'securityhub:BatchUpdateFindings': on(HUB, 'Updates findings in the Security Hub of whichever region the finding came from.'),
};

export class UnscopedPermissionError extends Error {
  constructor(readonly permission: string) {
    super(`infra/permissions.ts: no resource scope for '${permission}' declared in the action catalog; add one`);
    this.name = 'UnscopedPermissionError';
  }
}

/** Every IAM action the AWS actions in the catalog declare, sorted and de-duplicated. */
export function catalogAwsPermissions(): string[] {
  const all = Object.values(ACTION_CATALOG)
    .filter((spec) => spec.cloud === 'aws')
    .flatMap((spec) => spec.permissions);
  return [...new Set(all)].sort();
}

export interface ScopedStatement {
  sid: string;
  actions: string[];
  resources: string[];
  conditions?: Conditions;
  /** Why each wildcard in `resources` is unavoidable. */
  why: string[];
}

/** The catalog's permissions grouped into statements, one per distinct resource set and condition. */
export function responseStatements(parts: ArnParts): ScopedStatement[] {
  const groups = new Map<string, ScopedStatement>();
  for (const permission of catalogAwsPermissions()) {
    const scope = SCOPES[permission];
    if (!scope) throw new UnscopedPermissionError(permission);
    for (const grant of scope.grants(parts)) {
      const key = JSON.stringify([grant.resources, grant.conditions ?? null]);
      const group = groups.get(key) ?? { sid: '', actions: [], resources: grant.resources, conditions: grant.conditions, why: [] };
      if (!group.actions.includes(permission)) group.actions.push(permission);
      if (!group.why.includes(scope.why)) group.why.push(scope.why);
      groups.set(key, group);
    }
  }
  return [...groups.values()].map((g, i) => ({ ...g, sid: `CordonResponse${i + 1}` }));
}

export function toPolicyStatements(statements: readonly ScopedStatement[]): PolicyStatement[] {
  return statements.map((s) => new PolicyStatement({ sid: s.sid, actions: s.actions, resources: s.resources, conditions: s.conditions }));
}

/** The ARN parts as cdk-nag renders CloudFormation pseudo parameters in its finding ids. */
export const NAG_ARN_PARTS: ArnParts = { partition: '<AWS::Partition>', account: '<AWS::AccountId>' };
