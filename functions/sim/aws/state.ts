/**
 * The AWS side of the simulated estate: plain, serializable records keyed by id, so tests can
 * assert on them directly and a tabletop report can show them. Services mutate it in place.
 */

export interface SimRule {
  /** `-1` for all traffic, else `tcp` / `udp` / `icmp`. */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  /** Another security group as the peer. */
  groupId?: string;
}

export interface SimSecurityGroup {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  ingress: SimRule[];
  egress: SimRule[];
  tags: Record<string, string>;
}

export interface SimNetworkInterface {
  id: string;
  subnetId: string;
  privateIp: string;
  groups: string[];
  /**
   * ConnectionTrackingSpecification idle timeouts (seconds); absent = EC2's defaults
   * (432,000 s for established TCP on most instance types).
   */
  connectionTracking?: { tcpEstablishedTimeout?: number; udpStreamTimeout?: number; udpTimeout?: number };
}

export interface SimAttachment {
  volumeId: string;
  device: string;
  /** EC2's default for volumes attached at launch is true: the volume dies with its instance. */
  deleteOnTermination: boolean;
}

/** An instance profile association (DescribeIamInstanceProfileAssociations). */
export interface SimInstanceProfileAssociation {
  associationId: string;
  /** `arn:aws:iam::ACCOUNT:instance-profile/NAME` (or a GuardDuty sample placeholder). */
  arn: string;
  /** The role the profile carries: the host mints its credentials. */
  role: string;
}

export interface SimAutoScalingMember {
  lifecycleState: 'InService' | 'Standby' | 'Terminated';
  protectedFromScaleIn: boolean;
  healthStatus: 'Healthy' | 'Unhealthy';
}

export interface SimAutoScalingGroup {
  name: string;
  arn: string;
  /** `ELB`: the group replaces an instance its load balancer reports unhealthy; `EC2`: status checks only. */
  healthCheckType: 'EC2' | 'ELB';
  targetGroupArns: string[];
  loadBalancerNames: string[];
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: Record<string, SimAutoScalingMember>;
}

/** A network ACL entry: stateless, so a deny cuts tracked flows too. */
export interface SimNetworkAclEntry {
  ruleNumber: number;
  egress: boolean;
  protocol: string;
  action: 'allow' | 'deny';
  cidrIpv4?: string;
  cidrIpv6?: string;
}

export interface SimNetworkAcl {
  id: string;
  vpcId: string;
  /** The VPC's default ACL (allows everything; holds every subnet no other ACL holds). */
  isDefault?: boolean;
  subnets: string[];
  entries: SimNetworkAclEntry[];
  tags: Record<string, string>;
}

export interface SimInstance {
  id: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  instanceType: string;
  imageId: string;
  state: 'running' | 'stopped' | 'terminated';
  launchTime: string;
  /** Spot instances refuse termination protection. */
  market: 'on-demand' | 'spot';
  /** InstanceInitiatedShutdownBehavior: with `terminate`, root on the host can destroy it and its volumes. */
  shutdownBehavior: 'stop' | 'terminate';
  instanceProfile?: SimInstanceProfileAssociation;
  autoScalingGroup?: string;
  /** The first is the primary interface: ModifyInstanceAttribute Groups acts on it. */
  networkInterfaces: SimNetworkInterface[];
  volumes: SimAttachment[];
  disableApiTermination: boolean;
  tags: Record<string, string>;
}

export interface SimVolume {
  id: string;
  sizeGiB: number;
  availabilityZone: string;
  /** The KMS key the volume is encrypted under (its snapshots inherit it); absent = unencrypted. */
  kmsKeyId?: string;
  tags: Record<string, string>;
}

/**
 * The AWS managed key for EBS (`aws/ebs`), which encryption by default uses. Snapshots under it
 * cannot be shared with another account: they must be copied under a customer managed key first.
 */
export const AWS_MANAGED_EBS_KEY = 'alias/aws/ebs';

/** An EBS snapshot lock (LockSnapshot). `coolOffExpiresOn` only in compliance mode with a cooling-off period. */
export interface SimSnapshotLock {
  mode: 'governance' | 'compliance';
  createdOn: string;
  durationStartTime: string;
  expiresOn: string;
  /** Days, when locked for a duration rather than until a date. */
  durationDays?: number;
  coolOffHours?: number;
  coolOffExpiresOn?: string;
}

export interface SimSnapshot {
  id: string;
  volumeId: string;
  volumeSizeGiB: number;
  description: string;
  startTime: string;
  state: 'pending' | 'completed';
  /** The KMS key it is encrypted under; absent = unencrypted. */
  kmsKeyId?: string;
  lock?: SimSnapshotLock;
  /** Accounts given createVolumePermission (ModifySnapshotAttribute): they can see, copy and restore it. */
  sharedWith?: string[];
  /** A copy (CopySnapshot) names the snapshot it was copied from. */
  copiedFrom?: string;
  tags: Record<string, string>;
}

export interface SimRole {
  name: string;
  arn: string;
  roleId: string;
  path: string;
  createDate: string;
  /** Inline policies: name → JSON document (as written, not URL-encoded). */
  inlinePolicies: Record<string, string>;
  /** IAM tags (ListRoleTags): where `cordon:exempt` / `cordon:approval` live on a role. */
  tags: Record<string, string>;
}

export interface SimAccessKey {
  id: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  lastUsed?: { date: string; service: string; region: string };
}

export interface SimUser {
  name: string;
  arn: string;
  userId: string;
  path: string;
  createDate: string;
  accessKeys: SimAccessKey[];
  /** The console password (IAM login profile); absent = no console access. */
  loginProfile?: { createDate: string; passwordResetRequired: boolean };
  /** Inline policies: name → JSON document. */
  inlinePolicies: Record<string, string>;
  /** IAM tags (ListUserTags). */
  tags: Record<string, string>;
}

export interface SimPublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface SimBucket {
  name: string;
  region: string;
  /** Absent = the bucket has no configuration (GetPublicAccessBlock → NoSuchPublicAccessBlockConfiguration). */
  publicAccessBlock?: SimPublicAccessBlock;
  tags: Record<string, string>;
}

export interface SimSecurityHubFinding {
  id: string;
  productArn: string;
  generatorId: string;
  title: string;
  severityLabel: string;
  createdAt: string;
  updatedAt: string;
  workflowStatus: 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';
  recordState: 'ACTIVE' | 'ARCHIVED';
  note?: { text: string; updatedBy: string; updatedAt: string };
}

export interface AwsEstateState {
  account: string;
  region: string;
  /** Feeds deterministic ids for things the estate creates (sg-, snap-, r-, request ids are random). */
  serial: number;
  vpcs: Record<string, { id: string; cidr: string }>;
  instances: Record<string, SimInstance>;
  securityGroups: Record<string, SimSecurityGroup>;
  volumes: Record<string, SimVolume>;
  snapshots: Record<string, SimSnapshot>;
  roles: Record<string, SimRole>;
  users: Record<string, SimUser>;
  buckets: Record<string, SimBucket>;
  /** Account-level S3 Block Public Access (S3 Control); absent = not configured. */
  accountPublicAccessBlock?: SimPublicAccessBlock;
  /** The same for other accounts findings named (the estate holds their buckets in its own). */
  otherAccountPublicAccessBlocks?: Record<string, SimPublicAccessBlock>;
  autoScalingGroups: Record<string, SimAutoScalingGroup>;
  /** Instance profiles' roles by profile ARN (IAM is global: every region's profiles are known here). */
  instanceProfileRoles?: Record<string, string>;
  networkAcls: Record<string, SimNetworkAcl>;
  findings: Record<string, SimSecurityHubFinding>;
}

/** Where the simulated estate lives when nothing names a region (a bucket ARN never does). */
export const SIM_DEFAULT_REGION = 'us-east-1';

export function emptyAwsEstate(account = '123456789012', region = SIM_DEFAULT_REGION): AwsEstateState {
  return {
    account,
    region,
    serial: 0,
    vpcs: {},
    instances: {},
    securityGroups: {},
    volumes: {},
    snapshots: {},
    roles: {},
    users: {},
    buckets: {},
    autoScalingGroups: {},
    networkAcls: {},
    findings: {},
  };
}

/** `sg-0000000000000001a`-style ids: the AWS shape (17 hex digits), deterministic per estate. */
export function nextId(state: AwsEstateState, prefix: string, hexDigits = 17): string {
  state.serial += 1;
  return `${prefix}-${state.serial.toString(16).padStart(hexDigits, '0')}`;
}

/** A stable pseudo-random hex id derived from a name (seeded resources keep their ids across runs). */
export function hexFrom(text: string, digits = 17): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < digits; round++) {
    for (const ch of `${round}:${text}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, digits);
}

/**
 * IAM refuses edits to service-linked roles (path `/aws-service-role/`) and to the roles Identity
 * Center provisions (`AWSReservedSSO_*`, path `/aws-reserved/sso.amazonaws.com/`).
 */
export function protectedRoleKind(role: Pick<SimRole, 'name' | 'path'>): 'service-linked' | 'identity-center' | undefined {
  if (role.path.startsWith('/aws-service-role/') || role.name.startsWith('AWSServiceRoleFor')) return 'service-linked';
  if (role.path.startsWith('/aws-reserved/sso.amazonaws.com/') || role.name.startsWith('AWSReservedSSO_')) return 'identity-center';
  return undefined;
}

/** The default egress rule AWS puts on every new VPC security group. */
export const ALLOW_ALL_EGRESS: SimRule = { protocol: '-1', cidrIpv4: '0.0.0.0/0' };
