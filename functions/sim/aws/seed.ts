import * as z from 'zod';
import type { Finding } from '../../core/model.js';
import { accessKeyIdOf, bucketNameOf, instanceIdOf, instanceOfPrincipal, roleNameOf, userNameOf } from '../../adapters/aws/targets.js';
import { ALLOW_ALL_EGRESS, emptyAwsEstate, hexFrom, type AwsEstateState, type SimAutoScalingGroup, type SimRule } from './state.js';

/**
 * The `aws:` section of an estate file, made to be written by hand: lists of resources with
 * only an id required; VPCs, subnets, security groups and volumes an instance names are created
 * with plausible defaults. Security group rules are short strings: `tcp:22 0.0.0.0/0`,
 * `tcp:8000-8080 ::/0`, `-1 sg-0123` (protocol[:port[-port]] peer).
 */
const RULE = /^(-1|all|tcp|udp|icmp)(?::(\d+)(?:-(\d+))?)?\s+(\S+)$/;

const RuleShorthandSchema = z.string().transform((text, ctx): SimRule => {
  const m = RULE.exec(text.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `rule '${text}': expected 'protocol[:port[-port]] cidr-or-sg', e.g. 'tcp:22 0.0.0.0/0'` });
    return z.NEVER;
  }
  const [, proto, from, to, peer] = m as unknown as [string, string, string | undefined, string | undefined, string];
  const protocol = proto === 'all' ? '-1' : proto;
  const ports = protocol === '-1' || from === undefined ? {} : { fromPort: Number(from), toPort: Number(to ?? from) };
  const target = peer.startsWith('sg-') ? { groupId: peer } : peer.includes(':') ? { cidrIpv6: peer } : { cidrIpv4: peer };
  return { protocol, ...ports, ...target };
});

const RuleObjectSchema = z.object({
  protocol: z.string(),
  fromPort: z.number().int().optional(),
  toPort: z.number().int().optional(),
  cidrIpv4: z.string().optional(),
  cidrIpv6: z.string().optional(),
  groupId: z.string().optional(),
});

/**
 * A rule as shorthand or spelled out; the object form also lets an already-parsed seed be
 * applied again. Dispatching on the type (not z.union) keeps the shorthand's own message.
 */
export const RuleSchema = z.union([z.string(), RuleObjectSchema]).transform((value, ctx): SimRule => {
  if (typeof value !== 'string') return value;
  const parsed = RuleShorthandSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  return z.NEVER;
});

const Tags = z.record(z.string(), z.string()).default({});

const VolumeSchema = z.object({
  id: z.string().min(1),
  size: z.number().int().positive().default(8),
  /** EC2's default for volumes attached at launch: the volume is deleted with its instance. */
  deleteOnTermination: z.boolean().default(true),
  /** Encrypted under this KMS key (`alias/aws/ebs` = the AWS managed default); absent = unencrypted. */
  kmsKeyId: z.string().min(1).optional(),
});

/** ConnectionTrackingSpecification idle timeouts (seconds); omitted = EC2's defaults. */
const ConnectionTrackingSeedSchema = z.object({
  tcpEstablishedTimeout: z.number().int().positive().optional(),
  udpStreamTimeout: z.number().int().positive().optional(),
  udpTimeout: z.number().int().positive().optional(),
});

const NetworkInterfaceSeedSchema = z.object({
  id: z.string().regex(/^eni-/, 'a network interface id starts with eni-'),
  securityGroups: z.array(z.string().min(1)).min(1),
  subnet: z.string().min(1).optional(),
  privateIp: z.string().optional(),
  connectionTracking: ConnectionTrackingSeedSchema.optional(),
});

/** A profile name (its role has the same name, as the console creates them), or the profile and its role. */
const InstanceProfileSeedSchema = z.union([z.string().min(1), z.object({ name: z.string().min(1).optional(), arn: z.string().min(1).optional(), role: z.string().min(1) })]);

const InstanceSeedSchema = z.object({
  id: z.string().regex(/^i-/, 'an instance id starts with i-'),
  vpc: z.string().min(1).optional(),
  subnet: z.string().min(1).optional(),
  availabilityZone: z.string().optional(),
  instanceType: z.string().default('t3.micro'),
  privateIp: z.string().optional(),
  /** The primary interface's groups. */
  securityGroups: z.array(z.string().min(1)).optional(),
  /** The primary interface's connection-tracking timeouts. */
  connectionTracking: ConnectionTrackingSeedSchema.optional(),
  /** Further interfaces (device index 1, 2 …), each with its own groups. */
  networkInterfaces: z.array(NetworkInterfaceSeedSchema).default([]),
  /** A count (volumes get derived ids) or explicit volumes; the first is the root volume. */
  volumes: z.union([z.number().int().min(0).max(26), z.array(VolumeSchema)]).default(2),
  terminationProtection: z.boolean().default(false),
  state: z.enum(['running', 'stopped', 'terminated']).default('running'),
  market: z.enum(['on-demand', 'spot']).default('on-demand'),
  shutdownBehavior: z.enum(['stop', 'terminate']).default('stop'),
  instanceProfile: InstanceProfileSeedSchema.optional(),
  /** The Auto Scaling group the instance is in service in (created with defaults when not listed). */
  autoScalingGroup: z.string().min(1).optional(),
  tags: Tags,
});

const SnapshotSeedSchema = z.object({
  id: z.string().regex(/^snap-/, 'a snapshot id starts with snap-'),
  volumeId: z.string().min(1),
  size: z.number().int().positive().default(8),
  description: z.string().default(''),
  startTime: z.string().optional(),
  kmsKeyId: z.string().min(1).optional(),
  /** An EBS snapshot lock, as DescribeLockedSnapshots reports it (an estate.json keeps it across runs). */
  lock: z
    .object({
      mode: z.enum(['governance', 'compliance']),
      createdOn: z.string(),
      durationStartTime: z.string(),
      expiresOn: z.string(),
      durationDays: z.number().int().positive().optional(),
      coolOffHours: z.number().int().positive().optional(),
      coolOffExpiresOn: z.string().optional(),
    })
    .optional(),
  sharedWith: z.array(z.string().regex(/^\d{12}$/, 'an AWS account id (12 digits)')).optional(),
  copiedFrom: z.string().optional(),
  tags: Tags,
});

const AutoScalingGroupSeedSchema = z.object({
  name: z.string().min(1),
  /** Default: ELB when the group has load balancers or target groups, else EC2. */
  healthCheckType: z.enum(['EC2', 'ELB']).optional(),
  targetGroups: z.array(z.string().min(1)).default([]),
  loadBalancers: z.array(z.string().min(1)).default([]),
});

const SecurityGroupSeedSchema = z.object({
  // Not only sg-…: GuardDuty sample placeholders (GeneratedFindingSecurityId) are kept as ids, and an
  // estate.json written back after a sample's tabletop lists them.
  id: z.string().regex(/^(sg-|GeneratedFinding)/, 'a security group id starts with sg-'),
  name: z.string().optional(),
  description: z.string().optional(),
  vpc: z.string().optional(),
  ingress: z.array(RuleSchema).default([]),
  /** Defaults to AWS's allow-all egress rule. */
  egress: z.array(RuleSchema).optional(),
  tags: Tags,
});

const RoleSeedSchema = z.object({
  name: z.string().min(1),
  /** Default `/`; service-linked (`AWSServiceRoleFor*`) and Identity Center (`AWSReservedSSO_*`) roles get their reserved paths. */
  path: z.string().optional(),
  /** Inline policies: name → policy document (an object, or its JSON text). */
  policies: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.unknown())])).default({}),
  tags: Tags,
});

const UserSeedSchema = z.object({
  name: z.string().min(1),
  accessKeys: z
    .array(z.object({ id: z.string().min(1), status: z.enum(['Active', 'Inactive']).default('Active'), lastUsedService: z.string().optional() }))
    .default([]),
  /** A console password (IAM login profile). */
  loginProfile: z.boolean().default(false),
  policies: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.unknown())])).default({}),
  tags: Tags,
});

const PublicAccessBlockSchema = z.object({
  BlockPublicAcls: z.boolean().default(false),
  IgnorePublicAcls: z.boolean().default(false),
  BlockPublicPolicy: z.boolean().default(false),
  RestrictPublicBuckets: z.boolean().default(false),
});

const BucketSeedSchema = z.object({
  name: z.string().min(3),
  region: z.string().optional(),
  /** Omit for a bucket with no Block Public Access configuration at all. */
  publicAccessBlock: PublicAccessBlockSchema.optional(),
  tags: Tags,
});

const FindingSeedSchema = z.object({
  id: z.string().min(1),
  productArn: z.string().min(1),
  title: z.string().default('Simulated finding'),
  severity: z.string().default('MEDIUM'),
  workflowStatus: z.enum(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']).default('NEW'),
});

export const AwsEstateSeedSchema = z.object({
  account: z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits').optional(),
  region: z.string().min(1).optional(),
  instances: z.array(InstanceSeedSchema).default([]),
  securityGroups: z.array(SecurityGroupSeedSchema).default([]),
  autoScalingGroups: z.array(AutoScalingGroupSeedSchema).default([]),
  /** Account-level S3 Block Public Access (omit: not configured). */
  publicAccessBlock: PublicAccessBlockSchema.optional(),
  roles: z.array(RoleSeedSchema).default([]),
  users: z.array(UserSeedSchema).default([]),
  buckets: z.array(BucketSeedSchema).default([]),
  findings: z.array(FindingSeedSchema).default([]),
  snapshots: z.array(SnapshotSeedSchema).default([]),
  /**
   * The estate's id counter (written back into a tabletop's estate.json), so ids the estate
   * creates after a reload never collide with the ones it created before.
   */
  serial: z.number().int().min(0).optional(),
});
/** What a hand-written file holds, or the schema's parsed output: both are accepted. */
export type AwsEstateSeed = z.input<typeof AwsEstateSeedSchema> | z.output<typeof AwsEstateSeedSchema>;
type ParsedSeed = z.output<typeof AwsEstateSeedSchema>;

const SEEDED_AT = '2024-01-01T00:00:00.000Z';

function ensureVpc(state: AwsEstateState, id: string): void {
  state.vpcs[id] ??= { id, cidr: '10.0.0.0/16' };
}

/** Service-linked and Identity Center roles live under reserved paths (IAM assigns them). */
function defaultRolePath(name: string): string {
  if (name.startsWith('AWSServiceRoleFor')) return `/aws-service-role/${name.slice('AWSServiceRoleFor'.length).toLowerCase() || 'service'}.amazonaws.com/`;
  if (name.startsWith('AWSReservedSSO_')) return '/aws-reserved/sso.amazonaws.com/';
  return '/';
}

function ensureGroup(state: AwsEstateState, id: string, vpcId: string): void {
  state.securityGroups[id] ??= { id, name: id === 'default' ? 'default' : `group-${id.slice(3)}`, description: 'seeded security group', vpcId, ingress: [], egress: [{ ...ALLOW_ALL_EGRESS }], tags: {} };
}

/**
 * Adds a seed's resources to the estate. Resources already present win, so an estate file
 * applied first is not overwritten by what is later derived from a finding.
 */
export function applyAwsSeed(state: AwsEstateState, input: AwsEstateSeed): AwsEstateState {
  const seed: ParsedSeed = AwsEstateSeedSchema.parse(input);
  for (const g of seed.securityGroups) {
    const vpcId = g.vpc ?? `vpc-${hexFrom(g.id)}`;
    ensureVpc(state, vpcId);
    state.securityGroups[g.id] ??= { id: g.id, name: g.name ?? `group-${g.id.slice(3)}`, description: g.description ?? 'seeded security group', vpcId, ingress: g.ingress, egress: g.egress ?? [{ ...ALLOW_ALL_EGRESS }], tags: g.tags };
  }
  for (const g of seed.autoScalingGroups) ensureAutoScalingGroup(state, g.name, g);
  if (seed.publicAccessBlock && !state.accountPublicAccessBlock) state.accountPublicAccessBlock = seed.publicAccessBlock;
  for (const r of seed.roles) ensureRole(state, r.name, r.path, r.policies, r.tags);
  for (const i of seed.instances) {
    const profile = i.instanceProfile === undefined ? undefined : typeof i.instanceProfile === 'string' ? { name: i.instanceProfile, role: i.instanceProfile } : i.instanceProfile;
    const profileName = profile ? (profile.name ?? profile.arn?.split('/').pop() ?? profile.role) : undefined;
    const profileArn = profile && profileName ? (profile.arn ?? `arn:aws:iam::${state.account}:instance-profile/${profileName}`) : undefined;
    // IAM is global: the profile and its role exist even when this region's instance is another one of the same id.
    if (profile && profileArn) {
      ensureRole(state, profile.role);
      (state.instanceProfileRoles ??= {})[profileArn] ??= profile.role;
    }
    if (state.instances[i.id]) continue;
    const idHex = hexFrom(i.id);
    const declaredVpc = i.securityGroups?.map((g) => state.securityGroups[g]?.vpcId).find((v) => v !== undefined);
    const vpcId = i.vpc ?? declaredVpc ?? `vpc-${idHex}`;
    ensureVpc(state, vpcId);
    const groups = i.securityGroups ?? [`sg-${hexFrom(`${vpcId}/default`)}`];
    for (const g of groups) ensureGroup(state, g, vpcId);
    const az = i.availabilityZone ?? `${state.region}a`;
    const volumes: { id: string; size: number; deleteOnTermination: boolean; kmsKeyId?: string }[] = typeof i.volumes === 'number' ? Array.from({ length: i.volumes }, (_, n) => ({ id: `vol-${hexFrom(`${i.id}/${n}`)}`, size: n === 0 ? 8 : 100, deleteOnTermination: true })) : i.volumes;
    for (const v of volumes) state.volumes[v.id] ??= { id: v.id, sizeGiB: v.size, availabilityZone: az, ...(v.kmsKeyId ? { kmsKeyId: v.kmsKeyId } : {}), tags: {} };
    const subnetId = i.subnet ?? `subnet-${hexFrom(`${vpcId}/subnet`)}`;
    const extraEnis = i.networkInterfaces.map((n, index) => {
      for (const g of n.securityGroups) ensureGroup(state, g, vpcId);
      return { id: n.id, subnetId: n.subnet ?? subnetId, privateIp: n.privateIp ?? `10.0.0.${11 + index}`, groups: [...n.securityGroups], ...(n.connectionTracking ? { connectionTracking: n.connectionTracking } : {}) };
    });
    if (i.autoScalingGroup) {
      const group = ensureAutoScalingGroup(state, i.autoScalingGroup);
      group.instances[i.id] ??= { lifecycleState: 'InService', protectedFromScaleIn: false, healthStatus: 'Healthy' };
      group.desiredCapacity = Math.max(group.desiredCapacity, Object.keys(group.instances).length);
      group.maxSize = Math.max(group.maxSize, group.desiredCapacity);
    }
    state.instances[i.id] = {
      id: i.id,
      vpcId,
      subnetId: i.subnet ?? `subnet-${hexFrom(`${vpcId}/subnet`)}`,
      availabilityZone: az,
      instanceType: i.instanceType,
      imageId: `ami-${hexFrom(`${i.id}/ami`)}`,
      state: i.state,
      launchTime: SEEDED_AT,
      networkInterfaces: [{ id: `eni-${idHex}`, subnetId, privateIp: i.privateIp ?? '10.0.0.10', groups, ...(i.connectionTracking ? { connectionTracking: i.connectionTracking } : {}) }, ...extraEnis],
      // xvda for the root volume, then sdf, sdg … as the EC2 console suggests for data volumes.
      volumes: volumes.map((v, n) => ({ volumeId: v.id, device: n === 0 ? '/dev/xvda' : `/dev/sd${String.fromCharCode(101 + n)}`, deleteOnTermination: v.deleteOnTermination })),
      disableApiTermination: i.terminationProtection,
      market: i.market,
      shutdownBehavior: i.shutdownBehavior,
      ...(profile && profileName
        ? { instanceProfile: { associationId: `iip-assoc-${hexFrom(`${i.id}/${profileName}`)}`, arn: profileArn ?? profileName, role: profile.role } }
        : {}),
      ...(i.autoScalingGroup ? { autoScalingGroup: i.autoScalingGroup } : {}),
      tags: i.tags,
    };
  }
  for (const u of seed.users) {
    const user = (state.users[u.name] ??= {
      name: u.name,
      path: '/',
      arn: `arn:aws:iam::${state.account}:user/${u.name}`,
      userId: `AIDA${hexFrom(u.name, 17).toUpperCase()}`,
      createDate: SEEDED_AT,
      accessKeys: [],
      inlinePolicies: policyTexts(u.policies),
      tags: { ...u.tags },
      ...(u.loginProfile ? { loginProfile: { createDate: SEEDED_AT, passwordResetRequired: false } } : {}),
    });
    for (const k of u.accessKeys) {
      if (user.accessKeys.some((existing) => existing.id === k.id)) continue;
      user.accessKeys.push({ id: k.id, status: k.status, createDate: SEEDED_AT, ...(k.lastUsedService ? { lastUsed: { date: SEEDED_AT, service: k.lastUsedService, region: state.region } } : {}) });
    }
  }
  for (const b of seed.buckets) {
    state.buckets[b.name] ??= { name: b.name, region: b.region ?? state.region, tags: b.tags, ...(b.publicAccessBlock ? { publicAccessBlock: b.publicAccessBlock } : {}) };
  }
  for (const snap of seed.snapshots) {
    const { id, volumeId, size, description, startTime, tags, ...protection } = snap;
    state.snapshots[id] ??= { id, volumeId, volumeSizeGiB: size, description, startTime: startTime ?? SEEDED_AT, state: 'completed', ...protection, tags };
  }
  if (seed.serial !== undefined) state.serial = Math.max(state.serial, seed.serial);
  for (const f of seed.findings) {
    state.findings[f.id] ??= { id: f.id, productArn: f.productArn, generatorId: 'cordon-simulated', title: f.title, severityLabel: f.severity, createdAt: SEEDED_AT, updatedAt: SEEDED_AT, workflowStatus: f.workflowStatus, recordState: 'ACTIVE' };
  }
  return state;
}

function policyTexts(policies: Readonly<Record<string, string | Record<string, unknown>>>): Record<string, string> {
  return Object.fromEntries(Object.entries(policies).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function ensureRole(state: AwsEstateState, name: string, path?: string, policies: Readonly<Record<string, string | Record<string, unknown>>> = {}, tags: Readonly<Record<string, string>> = {}): void {
  const rolePath = path ?? defaultRolePath(name);
  state.roles[name] ??= {
    name,
    path: rolePath,
    arn: `arn:aws:iam::${state.account}:role${rolePath}${name}`,
    roleId: `AROA${hexFrom(name, 17).toUpperCase()}`,
    createDate: SEEDED_AT,
    inlinePolicies: policyTexts(policies),
    tags: { ...tags },
  };
}

function ensureAutoScalingGroup(state: AwsEstateState, name: string, seed?: z.output<typeof AutoScalingGroupSeedSchema>): SimAutoScalingGroup {
  const behindLoadBalancer = (seed?.targetGroups.length ?? 0) + (seed?.loadBalancers.length ?? 0) > 0;
  return (state.autoScalingGroups[name] ??= {
    name,
    arn: `arn:aws:autoscaling:${state.region}:${state.account}:autoScalingGroup:${hexFrom(name, 8)}-0000-4000-8000-${hexFrom(`${name}/asg`, 12)}:autoScalingGroupName/${name}`,
    healthCheckType: seed?.healthCheckType ?? (behindLoadBalancer ? 'ELB' : 'EC2'),
    targetGroupArns: seed?.targetGroups ?? [],
    loadBalancerNames: seed?.loadBalancers ?? [],
    minSize: 0,
    maxSize: 1,
    desiredCapacity: 0,
    instances: {},
  });
}

/** A fresh estate from seeds in order (the first that names them sets the account and region). */
export function createAwsEstate(...seeds: AwsEstateSeed[]): AwsEstateState {
  const first = seeds.find((s) => s.account !== undefined);
  const region = seeds.find((s) => s.region !== undefined)?.region;
  const state = emptyAwsEstate(first?.account, region);
  for (const seed of seeds) applyAwsSeed(state, seed);
  return state;
}

/**
 * What a finding implies exists: its instance (in the finding's VPC and subnet, two volumes),
 * role, user and access key, bucket with no Block Public Access, and the Security Hub finding
 * itself. GuardDuty sample placeholders (`i-99999999`, `GeneratedFindingVPCId` …) are kept as
 * ids so sample findings replay too.
 */
export function seedFromFinding(finding: Finding): AwsEstateSeed {
  const seed: Required<Pick<AwsEstateSeed, 'instances' | 'roles' | 'users' | 'buckets' | 'findings'>> & AwsEstateSeed = {
    ...(/^\d{12}$/.test(finding.account) ? { account: finding.account } : {}),
    ...(finding.region ? { region: finding.region } : {}),
    instances: [],
    roles: [],
    users: [],
    buckets: [],
    findings: [],
  };
  for (const r of finding.resources) {
    const details = r.details ?? {};
    switch (r.type) {
      case 'AwsEc2Instance': {
        const groups = details.securityGroupIds?.split(',').filter(Boolean);
        seed.instances.push({
          id: instanceIdOf(r.id).startsWith('i-') ? instanceIdOf(r.id) : `i-${hexFrom(r.id)}`,
          ...(details.vpcId ? { vpc: details.vpcId } : {}),
          ...(details.subnetId ? { subnet: details.subnetId } : {}),
          ...(groups?.length ? { securityGroups: groups } : {}),
          // GuardDuty names the profile (a placeholder in samples); its role is taken to share its name.
          ...(details.instanceProfileArn ? { instanceProfile: { arn: details.instanceProfileArn, role: details.instanceProfileArn.split('/').pop() as string } } : {}),
          volumes: 2,
          tags: r.tags,
        });
        break;
      }
      case 'AwsIamRole':
        seed.roles.push({ name: roleNameOf(r.id) });
        break;
      case 'AwsIamUser':
        seed.users.push({ name: userNameOf(r.id) });
        break;
      case 'AwsIamAccessKey': {
        const keyId = accessKeyIdOf(r.id);
        if (details.userType === 'Root') break;
        if (details.userType === 'AssumedRole') {
          // Role credentials; `AROA…:i-…` names the instance whose profile issued them.
          if (details.userName) seed.roles.push({ name: details.userName });
          const source = instanceOfPrincipal(details.principalId);
          if (source && details.userName) seed.instances.push({ id: source, instanceProfile: details.userName, volumes: 2 });
          break;
        }
        seed.users.push({ name: details.userName ?? 'cordon-simulated-user', accessKeys: [{ id: keyId, status: 'Active' }] });
        break;
      }
      case 'AwsS3Bucket':
        seed.buckets.push({ name: bucketNameOf(r.id), tags: r.tags });
        break;
      default:
        break;
    }
  }
  if (finding.productArn) seed.findings.push({ id: finding.id, productArn: finding.productArn, title: finding.title, severity: finding.severity.toUpperCase(), workflowStatus: 'NEW' });
  return seed;
}
