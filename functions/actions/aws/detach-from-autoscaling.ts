import { DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstancesCommand, EnterStandbyCommand, ExitStandbyCommand, SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import * as z from 'zod';
import type { AwsContext } from '../../adapters/aws/clients.js';
import { instanceIdOf } from '../../adapters/aws/targets.js';
import { actionSpec } from '../../core/actions/catalog.js';
import type { ActionInput, ActionResult, PlannedCall, ReleaseInput } from '../../core/actions/types.js';
import type { ActionModule } from '../types.js';
import { alreadyDone, guarded, notApplicable } from './common.js';
import { withInstance } from './instance.js';

/**
 * Keeps a quarantined instance alive and out of service. An Auto Scaling group terminates an
 * in-service instance that fails its health checks — an isolated instance fails its load
 * balancer's at once — and memory and volumes go with it. `EnterStandby` takes the instance out of
 * service and out of the group's load balancers and target groups (Auto Scaling deregisters it)
 * without lowering the desired capacity, so the group launches a healthy replacement; scale-in
 * protection keeps a scale-in from choosing it. Standby rather than `DetachInstances`: the instance
 * stays visible as a member of its group, and release returns it with `ExitStandby`.
 */
function plannedCalls(input: ActionInput): PlannedCall[] {
  const InstanceId = instanceIdOf(input.target.id);
  return [
    { operation: 'ec2:DescribeInstances', request: { InstanceIds: [InstanceId] } },
    { operation: 'autoscaling:DescribeAutoScalingInstances', request: { InstanceIds: [InstanceId] } },
    { operation: 'autoscaling:DescribeAutoScalingGroups', request: { AutoScalingGroupNames: ['<group>'] } },
    { operation: 'autoscaling:SetInstanceProtection', request: { AutoScalingGroupName: '<group>', InstanceIds: [InstanceId], ProtectedFromScaleIn: true } },
    { operation: 'autoscaling:EnterStandby', request: { AutoScalingGroupName: '<group>', InstanceIds: [InstanceId], ShouldDecrementDesiredCapacity: false } },
  ];
}

async function membership(ctx: AwsContext, instanceId: string) {
  const found = await ctx.clients.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  return found.AutoScalingInstances?.[0];
}

async function run(input: ActionInput, ctx: AwsContext): Promise<ActionResult> {
  return withInstance(input, ctx, async (_instance, _ec2, instanceId) => {
    const member = await membership(ctx, instanceId);
    if (!member?.AutoScalingGroupName) return notApplicable(`${instanceId} is in no Auto Scaling group: nothing will replace it`, { instanceId, autoScalingGroup: null });
    const groupName = member.AutoScalingGroupName;
    const before = { instanceId, autoScalingGroup: groupName, lifecycleState: member.LifecycleState ?? 'unknown', protectedFromScaleIn: member.ProtectedFromScaleIn ?? false };
    if (before.lifecycleState === 'Standby' && before.protectedFromScaleIn) return alreadyDone(`${instanceId} is already in Standby in ${groupName}, protected from scale-in`, before);
    if (before.lifecycleState !== 'InService' && before.lifecycleState !== 'Standby') {
      return { status: 'failed', errorClass: 'Conflict', message: `${instanceId} is ${before.lifecycleState} in Auto Scaling group ${groupName}: only an InService instance can enter Standby` };
    }
    const group = (await ctx.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }))).AutoScalingGroups?.[0];
    const balancers = [...(group?.LoadBalancerNames ?? []), ...(group?.TargetGroupARNs ?? [])];
    // Protection first: should Standby fail, a scale-in still never picks the evidence.
    if (!before.protectedFromScaleIn) await ctx.clients.autoScaling.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId], ProtectedFromScaleIn: true }));
    if (before.lifecycleState === 'InService') {
      await ctx.clients.autoScaling.send(new EnterStandbyCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId], ShouldDecrementDesiredCapacity: false }));
    }
    return {
      status: 'succeeded',
      before,
      after: { instanceId, autoScalingGroup: groupName, lifecycleState: 'Standby', protectedFromScaleIn: true, deregisteredFrom: balancers },
      evidence: [],
      summary: `${instanceId} in Standby in ${groupName} with scale-in protection: no health replacement${balancers.length ? `, out of ${balancers.join(', ')}` : ''}; the group launches a replacement`,
    };
  });
}

const RecordedBefore = z.object({ instanceId: z.string(), autoScalingGroup: z.string(), lifecycleState: z.string(), protectedFromScaleIn: z.boolean() });

/** Back in service (ExitStandby) and scale-in protection as recorded. */
async function release(input: ReleaseInput, ctx: AwsContext): Promise<ActionResult> {
  const recorded = RecordedBefore.safeParse(input.before);
  if (!recorded.success) return notApplicable(`the audit log's before-state of ${input.stepId} names no Auto Scaling group: nothing to undo`);
  const want = recorded.data;
  return guarded(async () => {
    const member = await membership(ctx, want.instanceId);
    if (!member) return { status: 'failed', errorClass: 'NotFound', message: `${want.instanceId} is no longer in Auto Scaling group ${want.autoScalingGroup}` };
    const before = { instanceId: want.instanceId, autoScalingGroup: want.autoScalingGroup, lifecycleState: member.LifecycleState ?? 'unknown', protectedFromScaleIn: member.ProtectedFromScaleIn ?? false };
    const exit = want.lifecycleState === 'InService' && before.lifecycleState === 'Standby';
    const protection = before.protectedFromScaleIn !== want.protectedFromScaleIn;
    if (!exit && !protection) return alreadyDone(`${want.instanceId} is already as recorded in ${want.autoScalingGroup}`, before);
    if (exit) await ctx.clients.autoScaling.send(new ExitStandbyCommand({ AutoScalingGroupName: want.autoScalingGroup, InstanceIds: [want.instanceId] }));
    if (protection) await ctx.clients.autoScaling.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: want.autoScalingGroup, InstanceIds: [want.instanceId], ProtectedFromScaleIn: want.protectedFromScaleIn }));
    return { status: 'succeeded', before, after: want, evidence: [], summary: `${want.instanceId} ${exit ? 'back InService' : 'left in its state'} in ${want.autoScalingGroup}; scale-in protection ${want.protectedFromScaleIn ? 'on' : 'off'} as recorded` };
  });
}

export const detachFromAutoScaling: ActionModule<AwsContext> = { spec: actionSpec('detach-from-autoscaling'), plannedCalls, run, release };
