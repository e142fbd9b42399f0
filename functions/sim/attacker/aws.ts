import type { AwsEstateState, SimInstance, SimNetworkAcl, SimPublicAccessBlock, SimRule, SimSecurityGroup } from '../aws/state.js';
import { denyingPolicy } from './iam-policy.js';
import { AUTO_TRACKED_PATHS, type CloudRules, type EvidenceAtRisk, type Foothold, type FootholdSpec, type Judgement } from './model.js';
import { inCidr, isIpv6 } from './net.js';

/**
 * AWS's rules for the attacker model (DESIGN §8):
 * - security groups are stateful: a tracked flow survives the removal of the rules that permitted
 *   it; a flow is untracked when rules allow all traffic of its protocol family (IPv4 `0.0.0.0/0`
 *   and IPv6 `::/0` judged separately) in both directions — except ICMP and automatically tracked
 *   paths (NAT gateway, NLB, GWLB, Transit Gateway, Global Accelerator, Network Firewall …) — and an
 *   untracked flow is dropped the moment no rule permits it. A network ACL is stateless: a deny
 *   cuts any flow (EC2 user guide, "Security group connection tracking");
 * - IAM evaluates an explicit Deny in the role's or user's policies against `aws:TokenIssueTime`
 *   and `ec2:SourceInstanceARN`; a host with an instance profile mints fresh credentials, so only
 *   disassociating the profile or denying every credential of that instance ends it;
 * - a long-term access key ends when Inactive; temporary keys (ASIA, GetSessionToken) outlive the
 *   key that made them and end only by a TokenIssueTime deny; a console password ends with its
 *   login profile; a public bucket ends with bucket or account Block Public Access;
 * - on its own, an Auto Scaling group terminates an in-service instance that fails its health
 *   checks (an isolated instance fails its load balancer's), and volumes with DeleteOnTermination
 *   die with their instance.
 */

export interface AwsRulesOptions {
  /** The estate's AWS state (IAM, S3 and EC2 of its own region). */
  home: AwsEstateState;
  /** EC2 of other regions. */
  regions: ReadonlyMap<string, AwsEstateState>;
}

const DEFAULT_ISSUED_AT = '2024-01-01T00:00:00.000Z';
/** A credential the host mints at the verdict: after any cutoff set during the workflow. */
const FRESH_CREDENTIAL_MS = 5 * 60_000;

const instanceKey = (region: string, id: string) => `instance:${region}/${id}`;

function protocolMatches(ruleProtocol: string, protocol: string): boolean {
  const numbers: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmp' };
  const p = numbers[ruleProtocol] ?? ruleProtocol.toLowerCase();
  return p === '-1' || p === 'all' || p === protocol;
}

function peerMatches(rule: Pick<SimRule, 'cidrIpv4' | 'cidrIpv6'>, remote: string): boolean {
  return (rule.cidrIpv4 !== undefined && inCidr(remote, rule.cidrIpv4)) || (rule.cidrIpv6 !== undefined && inCidr(remote, rule.cidrIpv6));
}

type Flow = Extract<FootholdSpec, { kind: 'connection' }>;

function permits(rule: SimRule, flow: Flow): boolean {
  if (!protocolMatches(rule.protocol, flow.protocol)) return false;
  if (rule.protocol !== '-1' && flow.protocol !== 'icmp' && flow.port !== undefined && rule.fromPort !== undefined && rule.fromPort !== -1) {
    if (flow.port < rule.fromPort || flow.port > (rule.toPort ?? rule.fromPort)) return false;
  }
  return peerMatches(rule, flow.remote);
}

/** Allow-all for the flow's protocol and family, every port: the rule that makes a TCP/UDP flow untracked. */
function allowsAll(rule: SimRule, flow: Flow): boolean {
  if (!protocolMatches(rule.protocol, flow.protocol)) return false;
  const allPorts = rule.protocol === '-1' || rule.fromPort === undefined || rule.fromPort === -1 || (rule.fromPort === 0 && rule.toPort === 65535);
  return allPorts && (isIpv6(flow.remote) ? rule.cidrIpv6 === '::/0' : rule.cidrIpv4 === '0.0.0.0/0');
}

function naclFor(state: AwsEstateState, subnetId: string): SimNetworkAcl | undefined {
  return Object.values(state.networkAcls).find((a) => a.subnets.includes(subnetId));
}

/** A network ACL evaluates each direction by rule number, first match; nothing matching is the final deny. */
function naclDenies(acl: SimNetworkAcl, flow: Flow): boolean {
  for (const egress of [false, true]) {
    const match = acl.entries
      .filter((e) => e.egress === egress)
      .sort((a, b) => a.ruleNumber - b.ruleNumber)
      .find((e) => protocolMatches(e.protocol, flow.protocol) && peerMatches(e, flow.remote));
    if (!match || match.action === 'deny') return true;
  }
  return false;
}

function blocks(config: SimPublicAccessBlock | undefined, via: 'policy' | 'acl'): boolean {
  return via === 'acl' ? config?.IgnorePublicAcls === true : config?.RestrictPublicBuckets === true;
}

export class AwsRules implements CloudRules {
  readonly cloud = 'aws' as const;
  readonly kinds = ['connection', 'role-credentials', 'instance-metadata', 'user-credentials', 'console-password', 'public-read'] as const;
  /** Instances the cloud terminated on its own, with the evidence lost. */
  private readonly lost: EvidenceAtRisk[] = [];

  constructor(private readonly options: AwsRulesOptions) {}

  private get home(): AwsEstateState {
    return this.options.home;
  }

  private ec2(region: string | undefined): AwsEstateState {
    return (region && this.options.regions.get(region)) || this.home;
  }

  owns(spec: FootholdSpec): boolean {
    switch (spec.kind) {
      case 'connection':
        return spec.instance.startsWith('i-');
      case 'role-credentials':
      case 'instance-metadata':
      case 'user-credentials':
        return true;
      case 'console-password':
        return (spec.cloud ?? (spec.user.includes('@') ? 'azure' : 'aws')) === 'aws';
      case 'public-read':
        return !spec.bucket.startsWith('/subscriptions/');
      default:
        return false;
    }
  }

  describe(spec: FootholdSpec): { id: string; on: string[] } {
    switch (spec.kind) {
      case 'connection': {
        const region = this.ec2(spec.region).region;
        return { id: `${spec.instance} ${spec.direction === 'inbound' ? '←' : '→'} ${spec.remote}${spec.port !== undefined ? `:${spec.port}` : ''}/${spec.protocol}`, on: [instanceKey(region, spec.instance)] };
      }
      case 'role-credentials': {
        const region = this.ec2(spec.region).region;
        return {
          id: `${spec.role}:${spec.accessKey ?? spec.issuedAt ?? 'session'}`,
          on: [`role:${spec.role}`, ...(spec.accessKey ? [`key:${spec.accessKey}`] : []), ...(spec.instance ? [instanceKey(region, spec.instance)] : [])],
        };
      }
      case 'instance-metadata':
        return { id: `${spec.instance}:instance-profile`, on: [instanceKey(this.ec2(spec.region).region, spec.instance)] };
      case 'user-credentials':
        return { id: `${spec.user}:${spec.accessKey}`, on: spec.user === 'root' ? [`account:${this.home.account}`, `key:${spec.accessKey}`] : [`user:${spec.user}`, `key:${spec.accessKey}`] };
      case 'console-password':
        return { id: `${spec.user}:console-password`, on: [`user:${spec.user}`] };
      case 'public-read':
        return { id: `s3://${spec.bucket} (${spec.via})`, on: [`bucket:${spec.bucket}`] };
      default:
        return { id: spec.kind, on: [] };
    }
  }

  prime(f: Foothold): void {
    if (f.spec.kind !== 'connection') return;
    const where = this.where(f.spec);
    f.state['tracked'] = !where || !this.untrackable(f.spec, where.groups);
  }

  judge(f: Foothold, now: Date): Judgement {
    const spec = f.spec;
    switch (spec.kind) {
      case 'connection':
        return this.judgeFlow(f, spec);
      case 'role-credentials': {
        const role = this.home.roles[spec.role];
        if (!role) return { open: false, why: `the role ${spec.role} no longer exists` };
        const source = spec.instance ? this.instanceArn(spec.region, spec.instance) : undefined;
        const deny = denyingPolicy(role.inlinePolicies, { tokenIssueTime: new Date(spec.issuedAt ?? DEFAULT_ISSUED_AT), ...(source ? { sourceInstanceArn: source } : {}) });
        if (deny) return { open: false, why: `the role's policy ${deny} denies them` };
        return { open: true, until: `a Deny on role ${spec.role} for aws:TokenIssueTime before now${source ? ` or for ec2:SourceInstanceARN ${source}` : ''}` };
      }
      case 'instance-metadata': {
        const state = this.ec2(spec.region);
        const instance = state.instances[spec.instance];
        if (!instance || instance.state === 'terminated') return { open: false, why: 'the instance is terminated' };
        if (!instance.instanceProfile) return { open: false, why: 'no instance profile: the host cannot mint role credentials' };
        const role = this.home.roles[instance.instanceProfile.role];
        const arn = this.instanceArn(spec.region, spec.instance);
        if (!role) return { open: false, why: `the profile's role ${instance.instanceProfile.role} does not exist` };
        // A credential the host mints now, after every cutoff: only a deny on the instance itself holds.
        const deny = denyingPolicy(role.inlinePolicies, { tokenIssueTime: new Date(now.getTime() + FRESH_CREDENTIAL_MS), sourceInstanceArn: arn });
        if (deny) return { open: false, why: `the role's policy ${deny} denies every credential of ${spec.instance}` };
        return { open: true, until: `instance profile ${instance.instanceProfile.arn} disassociated, or a Deny on role ${role.name} for ec2:SourceInstanceARN ${arn} (a TokenIssueTime cutoff does not hold: the host mints fresh credentials)` };
      }
      case 'user-credentials': {
        if (spec.user === 'root') return { open: true, until: "only the account owner can end root credentials (delete the root access keys, change the root password) — escalate" };
        const user = this.home.users[spec.user];
        if (!user) return { open: false, why: `the user ${spec.user} no longer exists` };
        const temporary = spec.accessKey.startsWith('ASIA');
        if (!temporary) {
          const key = user.accessKeys.find((k) => k.id === spec.accessKey);
          if (!key) return { open: false, why: 'the access key was deleted' };
          if (key.status === 'Inactive') return { open: false, why: 'the access key is Inactive' };
        }
        const deny = denyingPolicy(user.inlinePolicies, temporary ? { tokenIssueTime: new Date(spec.issuedAt ?? DEFAULT_ISSUED_AT) } : {});
        if (deny) return { open: false, why: `the user's policy ${deny} denies them` };
        return temporary
          ? { open: true, until: `a Deny on user ${spec.user} for aws:TokenIssueTime before now (temporary credentials outlive the access key that made them)` }
          : { open: true, until: `access key ${spec.accessKey} set Inactive` };
      }
      case 'console-password': {
        const user = this.home.users[spec.user];
        if (!user) return { open: false, why: `the user ${spec.user} no longer exists` };
        if (!user.loginProfile) return { open: false, why: 'no login profile: no console password' };
        return { open: true, until: `the login profile of ${spec.user} removed` };
      }
      case 'public-read': {
        const bucket = this.home.buckets[spec.bucket];
        if (!bucket) return { open: false, why: 'the bucket no longer exists' };
        const setting = spec.via === 'acl' ? 'IgnorePublicAcls' : 'RestrictPublicBuckets';
        if (blocks(bucket.publicAccessBlock, spec.via)) return { open: false, why: `bucket Block Public Access ${setting}` };
        if (blocks(this.home.accountPublicAccessBlock, spec.via)) return { open: false, why: `account Block Public Access ${setting}` };
        return { open: true, until: `bucket or account Block Public Access (${setting})` };
      }
      default:
        return { open: true, until: 'no AWS rule closes this kind' };
    }
  }

  settle(footholds: readonly Foothold[], now: Date): EvidenceAtRisk[] {
    for (const state of [this.home, ...this.options.regions.values()]) this.replaceUnhealthy(state, footholds, now);
    const risks: EvidenceAtRisk[] = [...this.lost];
    const seen = new Set<string>();
    for (const f of footholds) {
      for (const key of f.on) {
        const m = /^instance:([^/]+)\/(.+)$/.exec(key);
        if (!m || seen.has(key)) continue;
        seen.add(key);
        const instance = this.ec2(m[1]).instances[m[2] as string];
        if (!instance || instance.state === 'terminated') continue;
        risks.push(...this.risksOf(this.ec2(m[1]), instance, key));
      }
    }
    return risks;
  }

  private risksOf(state: AwsEstateState, instance: SimInstance, on: string): EvidenceAtRisk[] {
    const reasons: string[] = [];
    if (instance.shutdownBehavior === 'terminate') reasons.push('InstanceInitiatedShutdownBehavior is terminate: root on the host can shut it down and destroy it');
    if (instance.market === 'spot') reasons.push('a Spot instance: EC2 may interrupt (terminate) it, and it cannot carry termination protection');
    const group = instance.autoScalingGroup ? state.autoScalingGroups[instance.autoScalingGroup] : undefined;
    const member = group?.instances[instance.id];
    if (group && member?.lifecycleState === 'InService') {
      reasons.push(`in service in Auto Scaling group ${group.name}: the group terminates it when it fails its ${group.healthCheckType} health checks${member.protectedFromScaleIn ? '' : ' or scales in'}`);
    }
    if (reasons.length === 0) return [];
    const volumes = instance.volumes.filter((v) => v.deleteOnTermination);
    return [
      { kind: 'instance', id: instance.id, reason: `${reasons.join('; ')} (memory lost)`, on },
      ...volumes.map((v): EvidenceAtRisk => ({ kind: 'volume', id: v.volumeId, reason: `DeleteOnTermination: dies with ${instance.id}`, on })),
    ];
  }

  /** Auto Scaling's health replacement: an in-service instance that fails its health check is terminated. */
  private replaceUnhealthy(state: AwsEstateState, footholds: readonly Foothold[], now: Date): void {
    for (const group of Object.values(state.autoScalingGroups)) {
      for (const [id, member] of Object.entries(group.instances)) {
        const instance = state.instances[id];
        if (!instance || member.lifecycleState !== 'InService' || instance.state === 'terminated') continue;
        const failing = instance.state !== 'running' ? 'EC2' : group.healthCheckType === 'ELB' && this.unreachable(state, instance) ? 'ELB' : undefined;
        if (!failing) continue;
        member.healthStatus = 'Unhealthy';
        member.lifecycleState = 'Terminated';
        instance.state = 'terminated';
        const on = instanceKey(state.region, id);
        const dying = instance.volumes.filter((v) => v.deleteOnTermination);
        for (const v of dying) delete state.volumes[v.volumeId];
        this.lost.push(
          { kind: 'instance', id, reason: `terminated by Auto Scaling group ${group.name}: it failed its ${failing} health checks while InService (memory and host state lost)`, on },
          ...dying.map((v): EvidenceAtRisk => ({ kind: 'volume', id: v.volumeId, reason: `deleted with ${id} (DeleteOnTermination)`, on })),
        );
        for (const f of footholds) {
          if (f.open && f.on.includes(on) && (f.kind === 'connection' || f.kind === 'instance-metadata')) {
            Object.assign(f, { open: false, closedBy: `auto-scaling:${group.name} (instance terminated)`, closedAt: now.toISOString(), until: 'the instance was terminated' });
          }
        }
      }
    }
  }

  /** A load balancer's health check cannot reach an instance whose groups admit nothing inbound. */
  private unreachable(state: AwsEstateState, instance: SimInstance): boolean {
    const primary = instance.networkInterfaces[0];
    if (!primary) return true;
    return primary.groups.every((g) => (state.securityGroups[g]?.ingress.length ?? 0) === 0);
  }

  private instanceArn(region: string | undefined, id: string): string {
    const state = this.ec2(region);
    return `arn:aws:ec2:${state.region}:${state.account}:instance/${id}`;
  }

  private where(flow: Flow): { state: AwsEstateState; instance: SimInstance; subnetId: string; groups: SimSecurityGroup[] } | undefined {
    const state = this.ec2(flow.region);
    const instance = state.instances[flow.instance];
    const eni = flow.networkInterface ? instance?.networkInterfaces.find((n) => n.id === flow.networkInterface) : instance?.networkInterfaces[0];
    if (!instance || !eni) return undefined;
    return { state, instance, subnetId: eni.subnetId, groups: eni.groups.map((g) => state.securityGroups[g]).filter((g): g is SimSecurityGroup => g !== undefined) };
  }

  private untrackable(flow: Flow, groups: readonly SimSecurityGroup[]): boolean {
    if (flow.protocol === 'icmp' || (AUTO_TRACKED_PATHS as readonly string[]).includes(flow.via)) return false;
    return groups.some((g) => g.ingress.some((r) => allowsAll(r, flow))) && groups.some((g) => g.egress.some((r) => allowsAll(r, flow)));
  }

  private judgeFlow(f: Foothold, flow: Flow): Judgement {
    const where = this.where(flow);
    if (!where || where.instance.state === 'terminated') return { open: false, why: 'the instance is terminated' };
    if (where.instance.state !== 'running') return { open: false, why: 'the instance is stopped' };
    const acl = naclFor(where.state, where.subnetId);
    if (acl && naclDenies(acl, flow)) return { open: false, why: `network ACL ${acl.id} denies it` };
    const permitted = where.groups.some((g) => (flow.direction === 'inbound' ? g.ingress : g.egress).some((r) => permits(r, flow)));
    const tracked = f.state['tracked'] !== false;
    if (!permitted && !tracked) return { open: false, why: 'untracked, then no rule permitted it: dropped' };
    f.state['tracked'] = !this.untrackable(flow, where.groups);
    const alwaysTracked = flow.protocol === 'icmp' ? 'ICMP is always tracked' : flow.via !== 'internet-gateway' && flow.via !== 'application-load-balancer' ? `flows through a ${flow.via} are tracked automatically` : undefined;
    if (alwaysTracked) return { open: true, until: `a network ACL deny on ${where.subnetId} (${alwaysTracked})` };
    const family = isIpv6(flow.remote) ? 'IPv6 ::/0' : 'IPv4 0.0.0.0/0';
    return { open: true, until: `the flow made untracked (allow-all ${flow.protocol} rules for ${family} in both directions) before the rules permitting it go away, or a network ACL deny on ${where.subnetId}` };
  }
}
