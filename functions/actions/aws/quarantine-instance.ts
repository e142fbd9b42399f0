import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeSecurityGroupsCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { instanceIdOf } from '../../adapters/aws/targets.js';
import { actionSpec, ISOLATION_TAG } from '../../core/actions/catalog.js';
import * as z from 'zod';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { withInstance } from './instance.js';
import { alreadyDone, failedFrom, incidentTags, isAwsError, toTagList } from './common.js';

/**
 * Network isolation that holds (DESIGN §3, AWSSupport-ContainEC2Instance): security groups do
 * not cut tracked connections, so every network interface first moves to an allow-all "untrack"
 * group (IPv4 and IPv6: a flow becomes untracked when all traffic of its protocol family is
 * allowed in both directions), then to the rule-less isolation group, which drops the untracked
 * flows at once. The interface's connection-tracking idle timeouts are lowered for flows that stay
 * tracked (ICMP, NAT gateway, load balancers …: only a subnet network ACL cuts those, subnet-wide,
 * so never without a person). Termination protection (Spot refuses it: noted), shutdown
 * behaviour `stop` and DeleteOnTermination off keep the evidence alive; everything changed is
 * recorded as the before-state.
 */
export const ISOLATION_GROUP_NAME = 'cordon-isolation';
const ISOLATION_DESCRIPTION = 'Cordon isolation: no ingress, no egress. Do not add rules.';
export const UNTRACK_GROUP_NAME = 'cordon-untrack';
const UNTRACK_DESCRIPTION = 'Cordon untrack: allow-all for a moment so established flows become untracked before isolation.';
const ALLOW_ALL: IpPermission[] = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }];
/** EC2's lowest idle timeouts (seconds): established TCP 60, UDP stream 60, UDP 30. */
const LOWEST_TRACKING = { TcpEstablishedTimeout: 60, UdpStreamTimeout: 60, UdpTimeout: 30 };

function groupFilters(vpcId: string, name = ISOLATION_GROUP_NAME) {
  return [
    { Name: 'vpc-id', Values: [vpcId] },
    { Name: 'group-name', Values: [name] },
  ];
}

async function findGroup(ec2: EC2Client, vpcId: string, name = ISOLATION_GROUP_NAME): Promise<SecurityGroup | undefined> {
  const found = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: groupFilters(vpcId, name) }));
  return found.SecurityGroups?.[0];
}

/**
 * Creates one of the VPC's Cordon groups (the caller looked first); losing a creation race reuses
 * the winner's. Both carry the isolation tag, which scopes Cordon's rights to change their rules.
 */
async function createGroup(ec2: EC2Client, vpcId: string, name = ISOLATION_GROUP_NAME, description = ISOLATION_DESCRIPTION): Promise<{ group: SecurityGroup; created: boolean }> {
  try {
    const made = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        Description: description,
        VpcId: vpcId,
        // Both Cordon groups carry the isolation tag: it scopes Cordon's right to change their rules (catalog).
        TagSpecifications: [{ ResourceType: 'security-group', Tags: toTagList({ Name: name, [ISOLATION_TAG.key]: ISOLATION_TAG.value }) }],
      }),
    );
    // A new VPC group comes with the allow-all egress rule; read it back so it can be revoked.
    const group = made.GroupId ? (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [made.GroupId] }))).SecurityGroups?.[0] : undefined;
    if (!group) throw new Error(`CreateSecurityGroup returned no usable group in ${vpcId}`);
    return { group, created: true };
  } catch (e) {
    // Another step of a parallel workflow created it first.
    if (!isAwsError(e, 'InvalidGroup.Duplicate')) throw e;
    const raced = await findGroup(ec2, vpcId, name);
    if (!raced) throw e;
    return { group: raced, created: false };
  }
}

/** Leaves the group with zero rules in both directions. */
async function stripRules(ec2: EC2Client, group: SecurityGroup): Promise<number> {
  let revoked = 0;
  if (group.IpPermissionsEgress?.length) {
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: group.GroupId, IpPermissions: group.IpPermissionsEgress }));
    revoked += group.IpPermissionsEgress.length;
  }
  if (group.IpPermissions?.length) {
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: group.GroupId, IpPermissions: group.IpPermissions }));
    revoked += group.IpPermissions.length;
  }
  return revoked;
}

const ruleCount = (g: SecurityGroup | undefined) => (g?.IpPermissions?.length ?? 0) + (g?.IpPermissionsEgress?.length ?? 0);

const allows = (rules: readonly IpPermission[] | undefined, family: 'v4' | 'v6') =>
  (rules ?? []).some((r) => r.IpProtocol === '-1' && (family === 'v4' ? r.IpRanges?.some((x) => x.CidrIp === '0.0.0.0/0') : r.Ipv6Ranges?.some((x) => x.CidrIpv6 === '::/0')));

/** Gives the untrack group allow-all rules for IPv4 and IPv6 in both directions (only those missing). */
async function openUntrackGroup(ec2: EC2Client, group: SecurityGroup): Promise<void> {
  for (const [direction, rules] of [['ingress', group.IpPermissions], ['egress', group.IpPermissionsEgress]] as const) {
    const missing: IpPermission = { IpProtocol: '-1', ...(allows(rules, 'v4') ? {} : { IpRanges: [{ CidrIp: '0.0.0.0/0' }] }), ...(allows(rules, 'v6') ? {} : { Ipv6Ranges: [{ CidrIpv6: '::/0' }] }) };
    if (!missing.IpRanges && !missing.Ipv6Ranges) continue;
    const request = { GroupId: group.GroupId, IpPermissions: [missing] };
    if (direction === 'ingress') await ec2.send(new AuthorizeSecurityGroupIngressCommand(request));
    else await ec2.send(new AuthorizeSecurityGroupEgressCommand(request));
  }
}

function plannedCalls(input: ActionInput): PlannedCall[] {
  const InstanceId = instanceIdOf(input.target.id);
  return [
    { operation: 'ec2:DescribeInstances', request: { InstanceIds: [InstanceId] } },
    { operation: 'ec2:DescribeInstanceAttribute', request: { InstanceId, Attribute: 'disableApiTermination' } },
    { operation: 'ec2:DescribeInstanceAttribute', request: { InstanceId, Attribute: 'instanceInitiatedShutdownBehavior' } },
    { operation: 'ec2:DescribeSecurityGroups', request: { Filters: groupFilters('<instance-vpc>') } },
    { operation: 'ec2:CreateSecurityGroup', request: { GroupName: ISOLATION_GROUP_NAME, Description: ISOLATION_DESCRIPTION, VpcId: '<instance-vpc>', note: 'only when the VPC has no isolation group yet' } },
    { operation: 'ec2:RevokeSecurityGroupEgress', request: { GroupId: '<isolation-sg>', IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    { operation: 'ec2:DescribeSecurityGroups', request: { Filters: groupFilters('<instance-vpc>', UNTRACK_GROUP_NAME) } },
    { operation: 'ec2:CreateSecurityGroup', request: { GroupName: UNTRACK_GROUP_NAME, Description: UNTRACK_DESCRIPTION, VpcId: '<instance-vpc>', note: 'only when the VPC has no untrack group yet' } },
    { operation: 'ec2:AuthorizeSecurityGroupIngress', request: { GroupId: '<untrack-sg>', IpPermissions: ALLOW_ALL } },
    { operation: 'ec2:AuthorizeSecurityGroupEgress', request: { GroupId: '<untrack-sg>', IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] } },
    { operation: 'ec2:ModifyNetworkInterfaceAttribute', request: { NetworkInterfaceId: '<each-eni>', Groups: ['<untrack-sg>'] } },
    { operation: 'ec2:ModifyNetworkInterfaceAttribute', request: { NetworkInterfaceId: '<each-eni>', Groups: ['<isolation-sg>'], note: 'on failure: ModifyInstanceAttribute Groups (one interface), else the original groups back' } },
    { operation: 'ec2:ModifyNetworkInterfaceAttribute', request: { NetworkInterfaceId: '<each-eni>', ConnectionTrackingSpecification: LOWEST_TRACKING } },
    { operation: 'ec2:ModifyInstanceAttribute', request: { InstanceId, DisableApiTermination: { Value: true }, note: 'not for Spot instances' } },
    { operation: 'ec2:ModifyInstanceAttribute', request: { InstanceId, InstanceInitiatedShutdownBehavior: { Value: 'stop' } } },
    { operation: 'ec2:ModifyInstanceAttribute', request: { InstanceId, BlockDeviceMappings: [{ DeviceName: '<each-device>', Ebs: { DeleteOnTermination: false } }] } },
    { operation: 'ec2:CreateTags', request: { Resources: [InstanceId], Tags: toTagList({ 'cordon:incident': input.incidentId, 'cordon:quarantined-at': '<now>', 'cordon:original-groups': '<original-groups>' }) } },
  ];
}

interface Tracking {
  tcpEstablishedTimeout?: number;
  udpStreamTimeout?: number;
  udpTimeout?: number;
}

interface Interface {
  id: string;
  groups: { id: string; name: string }[];
  /** The interface's idle timeouts as DescribeInstances reported them (absent: EC2's defaults). */
  connectionTracking?: Tracking;
}

const lowered = (t: Tracking | undefined) =>
  t?.tcpEstablishedTimeout === LOWEST_TRACKING.TcpEstablishedTimeout && t.udpStreamTimeout === LOWEST_TRACKING.UdpStreamTimeout && t.udpTimeout === LOWEST_TRACKING.UdpTimeout;

/**
 * Moves one interface from the allow-all group to isolation. The allow-all moment must not last:
 * the SDK has retried already; then the instance-level API (a single-interface host), else the
 * interface's original groups go back and the step fails, naming where the host was left.
 */
async function isolateFromUntrack(ec2: EC2Client, instanceId: string, eni: Interface, isolationId: string, single: boolean): Promise<{ via: string } | ActionResult> {
  let firstError: unknown;
  try {
    await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni.id, Groups: [isolationId] }));
    return { via: 'ModifyNetworkInterfaceAttribute' };
  } catch (e) {
    firstError = e;
  }
  if (single) {
    try {
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: [isolationId] }));
      return { via: 'ModifyInstanceAttribute (ModifyNetworkInterfaceAttribute failed)' };
    } catch {
      // fall through to putting the original groups back
    }
  }
  const original = eni.groups.map((g) => g.id);
  let restored = false;
  for (const attempt of [
    () => ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni.id, Groups: original })),
    ...(single ? [() => ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: original }))] : []),
  ]) {
    try {
      await attempt();
      restored = true;
      break;
    } catch {
      // try the next way back
    }
  }
  const failure = failedFrom(firstError);
  if (failure.status !== 'failed') return failure;
  return {
    ...failure,
    message: `${eni.id} of ${instanceId} could not be moved from ${UNTRACK_GROUP_NAME} to ${ISOLATION_GROUP_NAME} (${failure.message}); ${
      restored ? `its original groups ${original.join(', ')} are back: NOT isolated` : `its original groups could not be restored either: it is LEFT IN THE ALLOW-ALL GROUP ${UNTRACK_GROUP_NAME}`
    }`,
  };
}

/** The untrack group, with allow-all rules for IPv4 and IPv6 in both directions. */
async function untrackGroup(ec2: EC2Client, vpcId: string): Promise<string> {
  const group = (await findGroup(ec2, vpcId, UNTRACK_GROUP_NAME)) ?? (await createGroup(ec2, vpcId, UNTRACK_GROUP_NAME, UNTRACK_DESCRIPTION)).group;
  await openUntrackGroup(ec2, group);
  return group.GroupId as string;
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  return withInstance(input, ctx, async (instance, ec2, instanceId) => {
    const vpcId = instance.VpcId;
    if (!vpcId) return { status: 'failed', errorClass: 'InvalidTarget', message: `${instanceId} is not in a VPC; security-group isolation needs one` };
    const interfaces: Interface[] = (instance.NetworkInterfaces ?? []).map((n) => {
      const t = n.ConnectionTrackingConfiguration;
      const tracking = t ? { tcpEstablishedTimeout: t.TcpEstablishedTimeout, udpStreamTimeout: t.UdpStreamTimeout, udpTimeout: t.UdpTimeout } : undefined;
      return { id: n.NetworkInterfaceId ?? '', groups: (n.Groups ?? []).map((g) => ({ id: g.GroupId ?? '', name: g.GroupName ?? '' })), ...(tracking ? { connectionTracking: tracking } : {}) };
    });
    const protection = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }));
    const shutdown = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior' }));
    const spot = instance.InstanceLifecycle === 'spot';
    const volumes = (instance.BlockDeviceMappings ?? []).map((m) => ({ device: m.DeviceName ?? '', volumeId: m.Ebs?.VolumeId ?? '', deleteOnTermination: m.Ebs?.DeleteOnTermination ?? false }));
    const before = {
      instanceId,
      vpcId,
      securityGroups: (instance.SecurityGroups ?? []).map((g) => ({ id: g.GroupId ?? '', name: g.GroupName ?? '' })),
      networkInterfaces: interfaces,
      disableApiTermination: protection.DisableApiTermination?.Value ?? false,
      instanceInitiatedShutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'stop',
      volumes,
      spot,
    };
    // Termination protection cannot be had for Spot: EC2 refuses it, so it is not asked for.
    const protectedEnough = before.disableApiTermination || spot;
    const dying = volumes.filter((v) => v.deleteOnTermination);

    const existing = await findGroup(ec2, vpcId);
    const isolated = (id: string | undefined, n: Interface) => id !== undefined && n.groups.length === 1 && n.groups[0]?.id === id;
    if (
      existing &&
      interfaces.length > 0 &&
      interfaces.every((n) => isolated(existing.GroupId, n) && lowered(n.connectionTracking)) &&
      protectedEnough &&
      before.instanceInitiatedShutdownBehavior === 'stop' &&
      dying.length === 0 &&
      ruleCount(existing) === 0
    ) {
      return alreadyDone(`${instanceId} already holds only ${existing.GroupId} (${ISOLATION_GROUP_NAME}) with tracking timeouts lowered, shutdown behaviour stop, no volume deleted on termination${spot ? ' (Spot: no termination protection)' : ', termination protection on'}`, before);
    }

    // Groups left by an interrupted run are found and reused, never duplicated.
    const { group, created } = existing ? { group: existing, created: false } : await createGroup(ec2, vpcId);
    const isolationId = group.GroupId as string;
    const revokedRules = await stripRules(ec2, group);
    const pending = interfaces.filter((n) => !isolated(isolationId, n));
    const swaps: { eni: string; via: string }[] = [];
    const untrackId = pending.length ? await untrackGroup(ec2, vpcId) : undefined;
    for (const n of pending) {
      // Step 1 (skipped when an interrupted run left it there): allow-all, so the interface's TCP/UDP flows become untracked.
      if (!isolated(untrackId, n)) await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: n.id, Groups: [untrackId as string] }));
      // Step 2: the rule-less group; the untracked flows are dropped at once.
      const moved = await isolateFromUntrack(ec2, instanceId, n, isolationId, interfaces.length === 1);
      if ('status' in moved) return moved;
      swaps.push({ eni: n.id, via: moved.via });
    }

    // The rest never undoes the isolation: what fails is reported (and escalated) after everything else was tried.
    const problems: { what: string; error: unknown }[] = [];
    const attempt = async (what: string, call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        problems.push({ what, error });
      }
    };
    // Flows that stay tracked (ICMP, NAT gateway, load balancers …) idle out in a minute instead of five days.
    for (const n of interfaces.filter((i) => !lowered(i.connectionTracking))) {
      await attempt(`lower the connection-tracking timeouts of ${n.id}`, () => ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: n.id, ConnectionTrackingSpecification: LOWEST_TRACKING })));
    }
    if (!protectedEnough) await attempt('enable termination protection', () => ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: true } })));
    if (before.instanceInitiatedShutdownBehavior !== 'stop') {
      await attempt('set the shutdown behaviour to stop', () => ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, InstanceInitiatedShutdownBehavior: { Value: 'stop' } })));
    }
    if (dying.length) {
      await attempt('turn DeleteOnTermination off', () =>
        ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, BlockDeviceMappings: dying.map((v) => ({ DeviceName: v.device, Ebs: { DeleteOnTermination: false } })) })),
      );
    }
    const notes = [
      ...(spot ? ['Spot instance: EC2 refuses termination protection for Spot, so it is not set (the instance can still be interrupted)'] : []),
      'flows that stay tracked (ICMP; through a NAT gateway, load balancer, Transit Gateway, Global Accelerator or Network Firewall) survive security groups: only a subnet network ACL cuts them, with approval',
    ];

    const now = ctx.now();
    const originalGroups = [...new Set(interfaces.flatMap((n) => n.groups.map((g) => g.id)))];
    const tags = { ...incidentTags(input), 'cordon:quarantined-at': now.toISOString(), 'cordon:original-groups': originalGroups.join(',').slice(0, 256) };
    await attempt('tag the instance', () => ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: toTagList(tags) })));
    const isolatedVia = `isolated in ${isolationId} (${ISOLATION_GROUP_NAME}${created ? ', created' : ''})${untrackId ? ` through the allow-all group ${untrackId}` : ''}${
      swaps.some((s) => s.via !== 'ModifyNetworkInterfaceAttribute') ? ` (${swaps.map((s) => `${s.eni} via ${s.via}`).join('; ')})` : ''
    }`;
    if (problems.length) {
      const first = failedFrom(problems[0]?.error);
      if (first.status !== 'failed') return first;
      return { ...first, message: `${instanceId} ${isolatedVia}, but could not ${problems.map((p) => p.what).join(', ')}: ${first.message}` };
    }

    const after = {
      instanceId,
      vpcId,
      securityGroups: [isolationId],
      disableApiTermination: !spot,
      instanceInitiatedShutdownBehavior: 'stop',
      deleteOnTermination: false,
      connectionTracking: LOWEST_TRACKING,
      isolationGroup: { id: isolationId, created, revokedRules, ingressRules: 0, egressRules: 0 },
      ...(untrackId ? { untrackGroup: untrackId } : {}),
      swaps,
      notes,
    };
    return {
      status: 'succeeded',
      before,
      after,
      evidence: [
        {
          kind: 'isolation',
          id: isolationId,
          of: instanceId,
          takenAt: now.toISOString(),
          tags,
          details: {
            vpcId,
            originalGroups: before.securityGroups,
            networkInterfaces: interfaces,
            terminationProtectionBefore: before.disableApiTermination,
            shutdownBehaviorBefore: before.instanceInitiatedShutdownBehavior,
            deleteOnTerminationBefore: dying.map((v) => v.device),
          },
        },
      ],
      summary: `${instanceId} ${isolatedVia}; replaced ${originalGroups.join(', ') || 'no groups'}; ${spot ? 'Spot: no termination protection (EC2 refuses it)' : 'termination protection on'}; shutdown behaviour stop; DeleteOnTermination off; tracking timeouts lowered. Note: ${notes.join('; ')}`,
    };
  });
}

const TrackingSchema = z.object({ tcpEstablishedTimeout: z.number().optional(), udpStreamTimeout: z.number().optional(), udpTimeout: z.number().optional() });

/** The before-state `run` records (the audit log's copy is what release trusts, never the instance's tags); older records lack the later fields. */
const RecordedBefore = z.object({
  instanceId: z.string(),
  networkInterfaces: z.array(z.object({ id: z.string(), groups: z.array(z.object({ id: z.string() })), connectionTracking: TrackingSchema.optional() })),
  disableApiTermination: z.boolean(),
  instanceInitiatedShutdownBehavior: z.enum(['stop', 'terminate']).optional(),
  volumes: z.array(z.object({ device: z.string(), deleteOnTermination: z.boolean() })).optional(),
  spot: z.boolean().optional(),
});

/** EC2's idle timeouts when none are configured (seconds). */
const DEFAULT_TRACKING = { TcpEstablishedTimeout: 432_000, UdpStreamTimeout: 180, UdpTimeout: 30 };

/** Puts every interface back in its recorded groups and timeouts, and the instance's attributes back as they were. */
async function release(input: ReleaseInput, ctx: AwsContext): Promise<ActionResult> {
  const recorded = RecordedBefore.safeParse(input.before);
  if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a quarantine-instance record` };
  const want = recorded.data;
  return withInstance(input, ctx, async (instance, ec2, instanceId) => {
    const current = new Map((instance.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId ?? '', { groups: (n.Groups ?? []).map((g) => g.GroupId ?? ''), tracking: n.ConnectionTrackingConfiguration }]));
    const protection = (await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }))).DisableApiTermination?.Value ?? false;
    const shutdown = want.instanceInitiatedShutdownBehavior
      ? ((await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior' }))).InstanceInitiatedShutdownBehavior?.Value ?? 'stop')
      : undefined;
    const mappings = new Map((instance.BlockDeviceMappings ?? []).map((m) => [m.DeviceName ?? '', m.Ebs?.DeleteOnTermination ?? false]));
    const before = { instanceId, networkInterfaces: [...current].map(([id, c]) => ({ id, groups: c.groups })), disableApiTermination: protection, ...(shutdown ? { instanceInitiatedShutdownBehavior: shutdown } : {}) };
    const same = (a: readonly string[] | undefined, b: readonly string[]) => a !== undefined && a.length === b.length && [...a].sort().join() === [...b].sort().join();
    const toRestore = want.networkInterfaces.filter((n) => !same(current.get(n.id)?.groups, n.groups.map((g) => g.id)));
    const trackingToRestore = want.networkInterfaces.filter((n) => {
      const c = current.get(n.id)?.tracking;
      const w = { ...DEFAULT_TRACKING, ...definedTracking(n.connectionTracking) };
      return c !== undefined && (c.TcpEstablishedTimeout !== w.TcpEstablishedTimeout || c.UdpStreamTimeout !== w.UdpStreamTimeout || c.UdpTimeout !== w.UdpTimeout);
    });
    const protectionToRestore = !want.spot && protection !== want.disableApiTermination;
    const shutdownToRestore = want.instanceInitiatedShutdownBehavior !== undefined && shutdown !== want.instanceInitiatedShutdownBehavior;
    const volumesToRestore = (want.volumes ?? []).filter((v) => mappings.has(v.device) && mappings.get(v.device) !== v.deleteOnTermination);
    if (toRestore.length === 0 && trackingToRestore.length === 0 && !protectionToRestore && !shutdownToRestore && volumesToRestore.length === 0) {
      return alreadyDone(`${instanceId} already has its recorded groups and attributes`, before);
    }
    for (const n of toRestore) await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: n.id, Groups: n.groups.map((g) => g.id) }));
    for (const n of trackingToRestore) {
      await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: n.id, ConnectionTrackingSpecification: { ...DEFAULT_TRACKING, ...definedTracking(n.connectionTracking) } }));
    }
    if (protectionToRestore) await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: want.disableApiTermination } }));
    if (shutdownToRestore && want.instanceInitiatedShutdownBehavior) {
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, InstanceInitiatedShutdownBehavior: { Value: want.instanceInitiatedShutdownBehavior } }));
    }
    if (volumesToRestore.length) {
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, BlockDeviceMappings: volumesToRestore.map((v) => ({ DeviceName: v.device, Ebs: { DeleteOnTermination: v.deleteOnTermination } })) }));
    }
    const after = {
      instanceId,
      networkInterfaces: want.networkInterfaces.map((n) => ({ id: n.id, groups: n.groups.map((g) => g.id) })),
      disableApiTermination: want.disableApiTermination,
      ...(want.instanceInitiatedShutdownBehavior ? { instanceInitiatedShutdownBehavior: want.instanceInitiatedShutdownBehavior } : {}),
      ...(want.volumes ? { volumes: want.volumes } : {}),
    };
    return {
      status: 'succeeded',
      before,
      after,
      evidence: [],
      summary: `${instanceId} back in ${[...new Set(after.networkInterfaces.flatMap((n) => n.groups))].join(', ')}; termination protection ${want.disableApiTermination ? 'on' : 'off'}${
        want.instanceInitiatedShutdownBehavior ? `, shutdown behaviour ${want.instanceInitiatedShutdownBehavior}` : ''
      }${volumesToRestore.length ? `, DeleteOnTermination back on ${volumesToRestore.map((v) => v.device).join(', ')}` : ''}, as recorded`,
    };
  });
}

/** Recorded timeouts in the SDK's spelling, only those that were set. */
function definedTracking(t: z.infer<typeof TrackingSchema> | undefined): Partial<typeof DEFAULT_TRACKING> {
  return {
    ...(t?.tcpEstablishedTimeout !== undefined ? { TcpEstablishedTimeout: t.tcpEstablishedTimeout } : {}),
    ...(t?.udpStreamTimeout !== undefined ? { UdpStreamTimeout: t.udpStreamTimeout } : {}),
    ...(t?.udpTimeout !== undefined ? { UdpTimeout: t.udpTimeout } : {}),
  };
}

export const quarantineInstance: ActionModule<AwsContext> = { spec: actionSpec('quarantine-instance'), plannedCalls, run, release };
