import {
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeSecurityGroupsCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { instanceIdOf } from '../../adapters/aws/targets.js';
import { actionSpec, ISOLATION_TAG } from '../../core/actions/catalog.js';
import * as z from 'zod';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { withInstance } from './instance.js';
import { alreadyDone, incidentTags, isAwsError, toTagList } from './common.js';

/**
 * Network isolation per AWS incident-response guidance: one security group per VPC with no
 * ingress and no egress rules replaces all of the instance's groups, termination protection
 * keeps the evidence alive, and tags record who did it and what the groups were.
 */
export const ISOLATION_GROUP_NAME = 'cordon-isolation';
const ISOLATION_DESCRIPTION = 'Cordon isolation: no ingress, no egress. Do not add rules.';

function groupFilters(vpcId: string) {
  return [
    { Name: 'vpc-id', Values: [vpcId] },
    { Name: 'group-name', Values: [ISOLATION_GROUP_NAME] },
  ];
}

async function findIsolationGroup(ec2: EC2Client, vpcId: string): Promise<SecurityGroup | undefined> {
  const found = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: groupFilters(vpcId) }));
  return found.SecurityGroups?.[0];
}

/** Creates the VPC's isolation group (the caller looked first); losing a creation race reuses the winner's. */
async function createIsolationGroup(ec2: EC2Client, vpcId: string): Promise<{ group: SecurityGroup; created: boolean }> {
  try {
    const made = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: ISOLATION_GROUP_NAME,
        Description: ISOLATION_DESCRIPTION,
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: toTagList({ Name: ISOLATION_GROUP_NAME, [ISOLATION_TAG.key]: ISOLATION_TAG.value }) }],
      }),
    );
    // A new VPC group comes with the allow-all egress rule; read it back so it can be revoked.
    const group = made.GroupId ? (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [made.GroupId] }))).SecurityGroups?.[0] : undefined;
    if (!group) throw new Error(`CreateSecurityGroup returned no usable group in ${vpcId}`);
    return { group, created: true };
  } catch (e) {
    // Another step of a parallel workflow created it first.
    if (!isAwsError(e, 'InvalidGroup.Duplicate')) throw e;
    const raced = await findIsolationGroup(ec2, vpcId);
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

function plannedCalls(input: ActionInput): PlannedCall[] {
  const InstanceId = instanceIdOf(input.target.id);
  return [
    { operation: 'ec2:DescribeInstances', request: { InstanceIds: [InstanceId] } },
    { operation: 'ec2:DescribeInstanceAttribute', request: { InstanceId, Attribute: 'disableApiTermination' } },
    { operation: 'ec2:DescribeSecurityGroups', request: { Filters: groupFilters('<instance-vpc>') } },
    {
      operation: 'ec2:CreateSecurityGroup',
      request: { GroupName: ISOLATION_GROUP_NAME, Description: ISOLATION_DESCRIPTION, VpcId: '<instance-vpc>', note: 'only when the VPC has no isolation group yet' },
    },
    { operation: 'ec2:RevokeSecurityGroupEgress', request: { GroupId: '<isolation-sg>', IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    { operation: 'ec2:ModifyInstanceAttribute', request: { InstanceId, Groups: ['<isolation-sg>'] } },
    { operation: 'ec2:ModifyInstanceAttribute', request: { InstanceId, DisableApiTermination: { Value: true } } },
    { operation: 'ec2:CreateTags', request: { Resources: [InstanceId], Tags: toTagList({ 'cordon:incident': input.incidentId, 'cordon:quarantined-at': '<now>', 'cordon:original-groups': '<original-groups>' }) } },
  ];
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  return withInstance(input, ctx, async (instance, ec2, instanceId) => {
    const vpcId = instance.VpcId;
    if (!vpcId) return { status: 'failed', errorClass: 'InvalidTarget', message: `${instanceId} is not in a VPC; security-group isolation needs one` };
    const interfaces = (instance.NetworkInterfaces ?? []).map((n) => ({ id: n.NetworkInterfaceId ?? '', groups: (n.Groups ?? []).map((g) => ({ id: g.GroupId ?? '', name: g.GroupName ?? '' })) }));
    const protection = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }));
    const before = {
      instanceId,
      vpcId,
      securityGroups: (instance.SecurityGroups ?? []).map((g) => ({ id: g.GroupId ?? '', name: g.GroupName ?? '' })),
      networkInterfaces: interfaces,
      disableApiTermination: protection.DisableApiTermination?.Value ?? false,
    };

    const existing = await findIsolationGroup(ec2, vpcId);
    const isolated = (id: string | undefined) => id !== undefined && interfaces.length > 0 && interfaces.every((n) => n.groups.length === 1 && n.groups[0]?.id === id);
    if (existing && isolated(existing.GroupId) && before.disableApiTermination && ruleCount(existing) === 0) {
      return alreadyDone(`${instanceId} already holds only ${existing.GroupId} (${ISOLATION_GROUP_NAME}) with termination protection on`, before);
    }

    // A group left by an interrupted run is found above and reused, never duplicated.
    const { group, created } = existing ? { group: existing, created: false } : await createIsolationGroup(ec2, vpcId);
    const isolationId = group.GroupId as string;
    const revokedRules = await stripRules(ec2, group);
    if (!isolated(isolationId)) {
      if (interfaces.length <= 1) {
        await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: [isolationId] }));
      } else {
        // ModifyInstanceAttribute refuses multi-interface instances; each interface is isolated instead.
        for (const n of interfaces) await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: n.id, Groups: [isolationId] }));
      }
    }
    if (!before.disableApiTermination) {
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: true } }));
    }
    const now = ctx.now();
    const originalGroups = [...new Set(interfaces.flatMap((n) => n.groups.map((g) => g.id)))];
    const tags = { ...incidentTags(input), 'cordon:quarantined-at': now.toISOString(), 'cordon:original-groups': originalGroups.join(',').slice(0, 256) };
    await ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: toTagList(tags) }));

    const after = { instanceId, vpcId, securityGroups: [isolationId], disableApiTermination: true, isolationGroup: { id: isolationId, created, revokedRules, ingressRules: 0, egressRules: 0 } };
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
          details: { vpcId, originalGroups: before.securityGroups, networkInterfaces: interfaces, terminationProtectionBefore: before.disableApiTermination },
        },
      ],
      summary: `${instanceId} isolated in ${isolationId} (${ISOLATION_GROUP_NAME}${created ? ', created' : ''}); replaced ${originalGroups.join(', ') || 'no groups'}; termination protection on`,
    };
  });
}

/** The before-state `run` records (the audit log's copy is what release trusts, never the instance's tags). */
const RecordedBefore = z.object({
  instanceId: z.string(),
  networkInterfaces: z.array(z.object({ id: z.string(), groups: z.array(z.object({ id: z.string() })) })),
  disableApiTermination: z.boolean(),
});

/** Puts every interface back in its recorded groups and termination protection back as it was. */
async function release(input: ReleaseInput, ctx: AwsContext): Promise<ActionResult> {
  const recorded = RecordedBefore.safeParse(input.before);
  if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not a quarantine-instance record` };
  const want = recorded.data;
  return withInstance(input, ctx, async (instance, ec2, instanceId) => {
    const current = new Map((instance.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId ?? '', (n.Groups ?? []).map((g) => g.GroupId ?? '')]));
    const protection = (await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }))).DisableApiTermination?.Value ?? false;
    const before = { instanceId, networkInterfaces: [...current].map(([id, groups]) => ({ id, groups })), disableApiTermination: protection };
    const same = (a: readonly string[] | undefined, b: readonly string[]) => a !== undefined && a.length === b.length && [...a].sort().join() === [...b].sort().join();
    const toRestore = want.networkInterfaces.filter((n) => !same(current.get(n.id), n.groups.map((g) => g.id)));
    if (toRestore.length === 0 && protection === want.disableApiTermination) return alreadyDone(`${instanceId} already has its recorded groups and termination protection`, before);
    for (const n of toRestore) {
      const groups = n.groups.map((g) => g.id);
      // As in run: ModifyInstanceAttribute for a single-interface instance, else each interface.
      if (want.networkInterfaces.length <= 1) await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: groups }));
      else await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: n.id, Groups: groups }));
    }
    if (protection !== want.disableApiTermination) {
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: want.disableApiTermination } }));
    }
    const after = { instanceId, networkInterfaces: want.networkInterfaces.map((n) => ({ id: n.id, groups: n.groups.map((g) => g.id) })), disableApiTermination: want.disableApiTermination };
    return {
      status: 'succeeded',
      before,
      after,
      evidence: [],
      summary: `${instanceId} back in ${[...new Set(after.networkInterfaces.flatMap((n) => n.groups))].join(', ')}; termination protection ${want.disableApiTermination ? 'on' : 'off'} as recorded`,
    };
  });
}

export const quarantineInstance: ActionModule<AwsContext> = { spec: actionSpec('quarantine-instance'), plannedCalls, run, release };
