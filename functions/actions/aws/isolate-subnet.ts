import { CreateNetworkAclCommand, DescribeNetworkAclsCommand, ReplaceNetworkAclAssociationCommand, type EC2Client, type NetworkAcl } from '@aws-sdk/client-ec2';
import * as z from 'zod';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { instanceIdOf } from '../../adapters/aws/targets.js';
import { actionSpec, ISOLATION_TAG } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded, incidentTags, toTagList } from './common.js';
import { withInstance } from './instance.js';

/**
 * The cut for flows security groups cannot drop (DESIGN §3): ICMP, and flows through a NAT gateway,
 * a Network or Gateway Load Balancer, a Transit Gateway, Global Accelerator or Network Firewall stay
 * tracked whatever the instance's groups say. A network ACL is stateless, so a subnet associated with
 * a rule-less ACL (only the final deny) drops every flow at once — for every instance of the subnet,
 * which is why its playbook waits for a person on every run. The subnet's previous association is
 * recorded, and release puts it back.
 */
export const SUBNET_CUT_ACL_NAME = 'cordon-subnet-cut';

function plannedCalls(input: ActionInput): PlannedCall[] {
  const InstanceId = instanceIdOf(input.target.id);
  return [
    { operation: 'ec2:DescribeInstances', request: { InstanceIds: [InstanceId] } },
    { operation: 'ec2:DescribeNetworkAcls', request: { Filters: [{ Name: 'association.subnet-id', Values: ['<each-subnet-of-the-instance>'] }] } },
    { operation: 'ec2:DescribeNetworkAcls', request: { Filters: [{ Name: 'vpc-id', Values: ['<instance-vpc>'] }, { Name: 'tag:Name', Values: [SUBNET_CUT_ACL_NAME] }] } },
    { operation: 'ec2:CreateNetworkAcl', request: { VpcId: '<instance-vpc>', note: 'only when the VPC has no cut ACL yet' } },
    { operation: 'ec2:ReplaceNetworkAclAssociation', request: { AssociationId: '<subnet-association>', NetworkAclId: '<cut-acl>', note: 'SUBNET-WIDE: every instance of the subnet' } },
  ];
}

const associationOf = (acl: NetworkAcl | undefined, subnetId: string) => acl?.Associations?.find((a) => a.SubnetId === subnetId)?.NetworkAclAssociationId;

async function aclOfSubnet(ec2: EC2Client, subnetId: string): Promise<NetworkAcl | undefined> {
  return (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }))).NetworkAcls?.[0];
}

async function cutAcl(ec2: EC2Client, vpcId: string, input: ActionInput): Promise<string> {
  const found = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'tag:Name', Values: [SUBNET_CUT_ACL_NAME] }] }))).NetworkAcls?.[0];
  if (found?.NetworkAclId) return found.NetworkAclId;
  const made = await ec2.send(
    new CreateNetworkAclCommand({
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'network-acl', Tags: toTagList({ Name: SUBNET_CUT_ACL_NAME, [ISOLATION_TAG.key]: ISOLATION_TAG.value, ...incidentTags(input) }) }],
    }),
  );
  if (!made.NetworkAcl?.NetworkAclId) throw new Error(`CreateNetworkAcl returned no network ACL in ${vpcId}`);
  return made.NetworkAcl.NetworkAclId;
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  return withInstance(input, ctx, async (instance, ec2, instanceId) => {
    const vpcId = instance.VpcId;
    if (!vpcId) return { status: 'failed', errorClass: 'InvalidTarget', message: `${instanceId} is not in a VPC: it has no subnet network ACL` };
    const subnets = [...new Set((instance.NetworkInterfaces ?? []).map((n) => n.SubnetId).filter((s): s is string => typeof s === 'string'))];
    const current = await Promise.all(subnets.map(async (subnetId) => ({ subnetId, acl: await aclOfSubnet(ec2, subnetId) })));
    const before = { instanceId, vpcId, subnets: current.map((c) => ({ subnetId: c.subnetId, networkAclId: c.acl?.NetworkAclId ?? null })) };
    const cutName = (acl: NetworkAcl | undefined) => acl?.Tags?.some((t) => t.Key === 'Name' && t.Value === SUBNET_CUT_ACL_NAME) ?? false;
    const pending = current.filter((c) => !cutName(c.acl));
    if (pending.length === 0) return alreadyDone(`${subnets.join(', ')} already behind the deny-all network ACL (${SUBNET_CUT_ACL_NAME})`, before);
    const aclId = await cutAcl(ec2, vpcId, input);
    for (const c of pending) {
      const association = associationOf(c.acl, c.subnetId);
      if (!association) return { status: 'failed', errorClass: 'NotFound', message: `no network ACL association found for ${c.subnetId}` };
      await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: association, NetworkAclId: aclId }));
    }
    return {
      status: 'succeeded',
      before,
      after: { instanceId, vpcId, subnets: subnets.map((subnetId) => ({ subnetId, networkAclId: aclId })) },
      evidence: [],
      summary: `${pending.map((c) => c.subnetId).join(', ')} behind the deny-all network ACL ${aclId} (was ${pending.map((c) => c.acl?.NetworkAclId ?? '?').join(', ')}): every flow of ${instanceId}, tracked or not, is cut — and every other instance of the subnet is cut off too`,
    };
  });
}

const RecordedBefore = z.object({ instanceId: z.string(), subnets: z.array(z.object({ subnetId: z.string(), networkAclId: z.string().nullable() })) });

/** Each subnet back on its recorded network ACL. */
async function release(input: ReleaseInput, ctx: AwsContext): Promise<ActionResult> {
  const recorded = RecordedBefore.safeParse(input.before);
  if (!recorded.success) return { status: 'failed', errorClass: 'InvalidTarget', message: `the audit log's before-state of ${input.stepId} is not an isolate-subnet record` };
  const ec2 = ctx.clients.ec2;
  return guarded(async () => {
    const now = await Promise.all(recorded.data.subnets.map(async (s) => ({ ...s, acl: await aclOfSubnet(ec2, s.subnetId) })));
    const before = { instanceId: recorded.data.instanceId, subnets: now.map((s) => ({ subnetId: s.subnetId, networkAclId: s.acl?.NetworkAclId ?? null })) };
    const moves = now.filter((s) => s.networkAclId !== null && s.acl?.NetworkAclId !== s.networkAclId);
    if (moves.length === 0) return alreadyDone(`the subnets of ${recorded.data.instanceId} are already on their recorded network ACLs`, before);
    for (const s of moves) {
      const association = associationOf(s.acl, s.subnetId);
      if (!association) return { status: 'failed', errorClass: 'NotFound', message: `no network ACL association found for ${s.subnetId}` };
      await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: association, NetworkAclId: s.networkAclId as string }));
    }
    return { status: 'succeeded', before, after: { instanceId: recorded.data.instanceId, subnets: recorded.data.subnets }, evidence: [], summary: `${moves.map((s) => `${s.subnetId} back on ${s.networkAclId ?? '?'}`).join(', ')}, as recorded` };
  });
}

export const isolateSubnet: ActionModule<AwsContext> = { spec: actionSpec('isolate-subnet'), plannedCalls, run, release };
