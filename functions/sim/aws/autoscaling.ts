import type { SimResponse } from '../server.js';
import { QueryError, QueryService } from './iam.js';
import type { AwsEstateState, SimAutoScalingGroup, SimAutoScalingMember } from './state.js';
import type { QueryParams, Xml } from './wire.js';

/**
 * EC2 Auto Scaling over the AWS query protocol (API version 2011-01-01). Standby and scale-in
 * protection are what keep a quarantined instance alive: the estate's attacker model terminates an
 * in-service instance that fails its health checks (sim/attacker/aws.ts), as the group would. An
 * instance in Standby is also out of its group's load balancers and target groups, as AWS does it.
 */
const NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

export class AutoScalingService extends QueryService {
  readonly name = 'autoscaling';
  protected readonly namespace = NS;

  constructor(state: AwsEstateState) {
    super(state);
  }

  protected dispatch(action: string, params: QueryParams): SimResponse {
    switch (action) {
      case 'DescribeAutoScalingInstances': {
        const ids = new Set(params.list('InstanceIds.member'));
        const rows = this.members().filter(([, id]) => ids.size === 0 || ids.has(id));
        return this.ok(action, { AutoScalingInstances: { member: rows.map(([g, id, m]) => this.memberXml(g, id, m)) } });
      }
      case 'DescribeAutoScalingGroups': {
        const names = params.list('AutoScalingGroupNames.member');
        const groups = Object.values(this.state.autoScalingGroups).filter((g) => names.length === 0 || names.includes(g.name));
        return this.ok(action, { AutoScalingGroups: { member: groups.map((g) => this.groupXml(g)) } });
      }
      case 'EnterStandby':
      case 'ExitStandby': {
        const group = this.group(params.get('AutoScalingGroupName'));
        const ids = params.list('InstanceIds.member');
        const entering = action === 'EnterStandby';
        const decrement = params.get('ShouldDecrementDesiredCapacity') === 'true';
        if (entering && params.get('ShouldDecrementDesiredCapacity') === undefined) throw new QueryError('ValidationError', 'ShouldDecrementDesiredCapacity is required');
        for (const id of ids) {
          const member = this.member(group, id);
          const from = entering ? 'InService' : 'Standby';
          if (member.lifecycleState !== from) throw new QueryError('ValidationError', `The instance ${id} is not in ${from}.`);
        }
        if (entering && decrement && group.desiredCapacity - ids.length < group.minSize) {
          throw new QueryError('ValidationError', `AutoScalingGroup ${group.name} has min-size=${group.minSize}, max-size=${group.maxSize}, and desired-size=${group.desiredCapacity}. To place into standby ${ids.length} instances, please update the AutoScalingGroup sizes appropriately.`);
        }
        for (const id of ids) (group.instances[id] as SimAutoScalingMember).lifecycleState = entering ? 'Standby' : 'InService';
        if (entering && decrement) group.desiredCapacity -= ids.length;
        return this.ok(action, { Activities: { member: ids.map((id) => this.activity(group, id, entering ? 'Moving EC2 instance to Standby' : 'Moving EC2 instance out of Standby')) } });
      }
      case 'SetInstanceProtection': {
        const group = this.group(params.get('AutoScalingGroupName'));
        const value = params.get('ProtectedFromScaleIn');
        if (value !== 'true' && value !== 'false') throw new QueryError('ValidationError', 'ProtectedFromScaleIn is required');
        for (const id of params.list('InstanceIds.member')) this.member(group, id).protectedFromScaleIn = value === 'true';
        return this.ok(action, {});
      }
      default:
        throw new QueryError('InvalidAction', `Could not find operation ${action} for version 2011-01-01`);
    }
  }

  private members(): [SimAutoScalingGroup, string, SimAutoScalingMember][] {
    return Object.values(this.state.autoScalingGroups).flatMap((g) => Object.entries(g.instances).filter(([, m]) => m.lifecycleState !== 'Terminated').map(([id, m]): [SimAutoScalingGroup, string, SimAutoScalingMember] => [g, id, m]));
  }

  private group(name: string | undefined): SimAutoScalingGroup {
    const group = name ? this.state.autoScalingGroups[name] : undefined;
    if (!group) throw new QueryError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${name ?? ''} not found`);
    return group;
  }

  private member(group: SimAutoScalingGroup, id: string): SimAutoScalingMember {
    const member = group.instances[id];
    if (!member || member.lifecycleState === 'Terminated') throw new QueryError('ValidationError', `The instance ${id} is not part of Auto Scaling group ${group.name}.`);
    return member;
  }

  private memberXml(g: SimAutoScalingGroup, id: string, m: SimAutoScalingMember): Xml {
    return {
      InstanceId: id,
      AutoScalingGroupName: g.name,
      AvailabilityZone: this.state.instances[id]?.availabilityZone ?? `${this.state.region}a`,
      LifecycleState: m.lifecycleState,
      HealthStatus: m.healthStatus.toUpperCase(),
      ProtectedFromScaleIn: m.protectedFromScaleIn,
      InstanceType: this.state.instances[id]?.instanceType,
    };
  }

  private groupXml(g: SimAutoScalingGroup): Xml {
    return {
      AutoScalingGroupName: g.name,
      AutoScalingGroupARN: g.arn,
      MinSize: g.minSize,
      MaxSize: g.maxSize,
      DesiredCapacity: g.desiredCapacity,
      DefaultCooldown: 300,
      AvailabilityZones: { member: [`${this.state.region}a`] },
      LoadBalancerNames: { member: g.loadBalancerNames },
      TargetGroupARNs: { member: g.targetGroupArns },
      HealthCheckType: g.healthCheckType,
      HealthCheckGracePeriod: 300,
      CreatedTime: '2024-01-01T00:00:00.000Z',
      Instances: {
        member: Object.entries(g.instances)
          .filter(([, m]) => m.lifecycleState !== 'Terminated')
          .map(([id, m]) => ({ InstanceId: id, AvailabilityZone: this.state.instances[id]?.availabilityZone ?? `${this.state.region}a`, LifecycleState: m.lifecycleState, HealthStatus: m.healthStatus, ProtectedFromScaleIn: m.protectedFromScaleIn })),
      },
    };
  }

  private activity(g: SimAutoScalingGroup, id: string, description: string): Xml {
    return { ActivityId: crypto.randomUUID(), AutoScalingGroupName: g.name, Description: `${description}: ${id}`, Cause: 'At the request of cordon', StartTime: new Date().toISOString(), StatusCode: 'Successful', Progress: 100 };
  }
}
