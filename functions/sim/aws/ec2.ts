import type { SimRequest, SimResponse, SimService } from '../server.js';
import { ALLOW_ALL_EGRESS, hexFrom, nextId, type AwsEstateState, type SimInstance, type SimNetworkAcl, type SimRule, type SimSecurityGroup } from './state.js';
import { EbsSnapshots, isSnapshotAction } from './ebs-snapshots.js';
import { QueryParams, ec2TagSet, requestId, signingService, xmlDocument, xmlResponse, type Xml } from './wire.js';

/** EC2 query protocol (API version 2016-11-15): `Action=…` form bodies, XML answers with `<item>` lists. */
const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** EC2's error document: `<Response><Errors><Error><Code>…` with a `RequestID`. */
export function ec2ErrorResponse(status: number, code: string, message: string): SimResponse {
  return xmlResponse(status, xmlDocument('Response', undefined, { Errors: { Error: { Code: code, Message: message } }, RequestID: requestId() }));
}

export function ok(action: string, body: { readonly [tag: string]: Xml }): SimResponse {
  return xmlResponse(200, xmlDocument(`${action}Response`, NS, { requestId: requestId(), ...body }));
}

function ruleXml(rules: readonly SimRule[]): Xml {
  return {
    item: rules.map((r) => ({
      ipProtocol: r.protocol,
      fromPort: r.fromPort,
      toPort: r.toPort,
      groups: { item: r.groupId ? [{ groupId: r.groupId }] : [] },
      ipRanges: { item: r.cidrIpv4 ? [{ cidrIp: r.cidrIpv4 }] : [] },
      ipv6Ranges: { item: r.cidrIpv6 ? [{ cidrIpv6: r.cidrIpv6 }] : [] },
      prefixListIds: {},
    })),
  };
}

function sameRule(a: SimRule, b: SimRule): boolean {
  return a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort && a.cidrIpv4 === b.cidrIpv4 && a.cidrIpv6 === b.cidrIpv6 && a.groupId === b.groupId;
}

/** `IpPermissions.N` → one rule per CIDR / peer, as EC2 stores them. */
function rulesFrom(params: QueryParams): SimRule[] {
  const rules: SimRule[] = [];
  for (const p of params.structs('IpPermissions')) {
    const protocol = p.get('IpProtocol') ?? '-1';
    const from = p.get('FromPort');
    const to = p.get('ToPort');
    const base: SimRule = { protocol, ...(from !== undefined && protocol !== '-1' ? { fromPort: Number(from) } : {}), ...(to !== undefined && protocol !== '-1' ? { toPort: Number(to) } : {}) };
    for (const r of p.structs('IpRanges')) rules.push({ ...base, cidrIpv4: r.get('CidrIp') });
    for (const r of p.structs('Ipv6Ranges')) rules.push({ ...base, cidrIpv6: r.get('CidrIpv6') });
    for (const r of p.structs('Groups')) rules.push({ ...base, groupId: r.get('GroupId') });
  }
  return rules;
}

export function filtersFrom(params: QueryParams): { name: string; values: string[] }[] {
  return params.structs('Filter').map((f) => ({ name: f.get('Name') ?? '', values: f.list('Value') }));
}

/** EC2 filter semantics: every filter must match; any value of a filter may match. */
export function matchesFilters(filters: readonly { name: string; values: string[] }[], field: (name: string) => string | undefined): boolean {
  return filters.every((f) => {
    const actual = field(f.name);
    return actual !== undefined && f.values.some((v) => (v.includes('*') ? new RegExp(`^${v.split('*').map(escapeRegExp).join('.*')}$`).test(actual) : v === actual));
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function tagFilterField(tags: Readonly<Record<string, string>>, name: string): string | undefined {
  if (name.startsWith('tag:')) return tags[name.slice(4)];
  if (name === 'tag-key') return Object.keys(tags)[0];
  return undefined;
}

export function tagSpecs(params: QueryParams, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of params.structs('TagSpecification')) if (spec.get('ResourceType') === resourceType) Object.assign(tags, spec.tags('Tag'));
  return tags;
}

/** Association ids name the ACL and the subnet, so a replaced association gets a new id, as in EC2. */
function aclAssociationId(aclId: string, subnetId: string): string {
  return `aclassoc-${hexFrom(`${aclId}/${subnetId}`)}`;
}

export class Ec2Service implements SimService {
  readonly name = 'ec2';
  /** EBS snapshots, their locks, copies and sharing (ebs-snapshots.ts): the same EC2 endpoint and protocol. */
  private readonly snapshots: EbsSnapshots;
  constructor(private readonly state: AwsEstateState) {
    this.snapshots = new EbsSnapshots(state);
  }

  identify(req: SimRequest): string | undefined {
    if (signingService(req) !== 'ec2') return undefined;
    return `ec2:${QueryParams.of(req).get('Action') ?? 'Unknown'}`;
  }

  throttled(): SimResponse {
    return ec2ErrorResponse(503, 'RequestLimitExceeded', 'Request limit exceeded.');
  }

  internalError(): SimResponse {
    return ec2ErrorResponse(500, 'InternalError', 'An internal error has occurred.');
  }

  accessDenied(_req: SimRequest, operation: string): SimResponse {
    return ec2ErrorResponse(403, 'UnauthorizedOperation', `You are not authorized to perform this operation. User: arn:aws:sts::000000000000:assumed-role/cordon-responder/cordon is not authorized to perform: ${operation}`);
  }

  handle(req: SimRequest, operation: string): SimResponse {
    const params = QueryParams.of(req);
    const action = operation.slice('ec2:'.length);
    try {
      switch (action) {
        case 'DescribeInstances':
          return this.describeInstances(params);
        case 'DescribeInstanceAttribute':
          return this.describeInstanceAttribute(params);
        case 'ModifyInstanceAttribute':
          return this.modifyInstanceAttribute(params);
        case 'DescribeSecurityGroups':
          return this.describeSecurityGroups(params);
        case 'CreateSecurityGroup':
          return this.createSecurityGroup(params);
        case 'RevokeSecurityGroupEgress':
          return this.revoke(params, 'egress', action);
        case 'RevokeSecurityGroupIngress':
          return this.revoke(params, 'ingress', action);
        case 'ModifyNetworkInterfaceAttribute':
          return this.modifyNetworkInterfaceAttribute(params);
        case 'AuthorizeSecurityGroupEgress':
          return this.authorize(params, 'egress', action);
        case 'AuthorizeSecurityGroupIngress':
          return this.authorize(params, 'ingress', action);
        case 'CreateTags':
          return this.createTags(params);
        case 'DescribeIamInstanceProfileAssociations':
          return this.describeProfileAssociations(params);
        case 'DisassociateIamInstanceProfile':
          return this.disassociateProfile(params);
        case 'AssociateIamInstanceProfile':
          return this.associateProfile(params);
        case 'DescribeNetworkAcls':
          return this.describeNetworkAcls(params);
        case 'CreateNetworkAcl':
          return this.createNetworkAcl(params);
        case 'ReplaceNetworkAclAssociation':
          return this.replaceNetworkAclAssociation(params);
        default:
          if (isSnapshotAction(action)) return this.snapshots.handle(action, params);
          throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
      }
    } catch (e) {
      if (e instanceof Ec2Error) return ec2ErrorResponse(e.status, e.code, e.message);
      throw e;
    }
  }

  private instance(id: string | undefined): SimInstance {
    const instance = id ? this.state.instances[id] : undefined;
    if (!instance) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id ?? ''}' does not exist`);
    return instance;
  }

  private group(id: string): SimSecurityGroup {
    const group = this.state.securityGroups[id];
    if (!group) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    return group;
  }

  private groupRefs(ids: readonly string[]): Xml {
    return { item: ids.map((id) => ({ groupId: id, groupName: this.state.securityGroups[id]?.name })) };
  }

  private instanceXml(i: SimInstance): Xml {
    const primary = i.networkInterfaces[0];
    return {
      instanceId: i.id,
      imageId: i.imageId,
      instanceState: { code: { running: 16, stopped: 80, terminated: 48 }[i.state], name: i.state },
      instanceLifecycle: i.market === 'spot' ? 'spot' : undefined,
      iamInstanceProfile: i.instanceProfile ? { arn: i.instanceProfile.arn, id: `AIPA${i.instanceProfile.associationId.slice(-16).toUpperCase()}` } : undefined,
      privateDnsName: primary ? `ip-${primary.privateIp.replaceAll('.', '-')}.ec2.internal` : undefined,
      instanceType: i.instanceType,
      launchTime: i.launchTime,
      placement: { availabilityZone: i.availabilityZone, tenancy: 'default' },
      subnetId: i.subnetId,
      vpcId: i.vpcId,
      privateIpAddress: primary?.privateIp,
      groupSet: this.groupRefs(primary?.groups ?? []),
      rootDeviceType: 'ebs',
      rootDeviceName: i.volumes[0]?.device,
      blockDeviceMapping: {
        item: i.volumes.map((v) => ({ deviceName: v.device, ebs: { volumeId: v.volumeId, status: 'attached', attachTime: i.launchTime, deleteOnTermination: v.deleteOnTermination } })),
      },
      networkInterfaceSet: {
        item: i.networkInterfaces.map((n, index) => ({
          networkInterfaceId: n.id,
          subnetId: n.subnetId,
          vpcId: i.vpcId,
          ownerId: this.state.account,
          status: 'in-use',
          privateIpAddress: n.privateIp,
          attachment: { attachmentId: `eni-attach-${n.id.slice(4)}`, deviceIndex: index, status: 'attached', attachTime: i.launchTime, deleteOnTermination: true },
          groupSet: this.groupRefs(n.groups),
          connectionTrackingConfiguration: n.connectionTracking
            ? { tcpEstablishedTimeout: n.connectionTracking.tcpEstablishedTimeout, udpStreamTimeout: n.connectionTracking.udpStreamTimeout, udpTimeout: n.connectionTracking.udpTimeout }
            : undefined,
        })),
      },
      tagSet: ec2TagSet(i.tags),
    };
  }

  private describeInstances(params: QueryParams): SimResponse {
    const ids = params.list('InstanceId');
    for (const id of ids) this.instance(id);
    const filters = filtersFrom(params);
    const chosen = (ids.length ? ids.map((id) => this.instance(id)) : Object.values(this.state.instances)).filter((i) =>
      matchesFilters(filters, (name) => (name === 'instance-id' ? i.id : name === 'vpc-id' ? i.vpcId : name === 'instance-state-name' ? i.state : tagFilterField(i.tags, name))),
    );
    return ok('DescribeInstances', {
      reservationSet: {
        item: chosen.map((i) => ({ reservationId: `r-${i.id.slice(2)}`, ownerId: this.state.account, groupSet: {}, instancesSet: { item: [this.instanceXml(i)] } })),
      },
    });
  }

  private describeInstanceAttribute(params: QueryParams): SimResponse {
    const instance = this.instance(params.get('InstanceId'));
    const attribute = params.get('Attribute');
    const body: { [tag: string]: Xml } = { instanceId: instance.id };
    if (attribute === 'disableApiTermination') body.disableApiTermination = { value: instance.disableApiTermination };
    else if (attribute === 'instanceInitiatedShutdownBehavior') body.instanceInitiatedShutdownBehavior = { value: instance.shutdownBehavior };
    else if (attribute === 'groupSet') body.groupSet = this.groupRefs(instance.networkInterfaces[0]?.groups ?? []);
    else throw new Ec2Error('InvalidParameterValue', `Value (${attribute ?? ''}) for parameter attribute is invalid. Unknown attribute.`);
    return ok('DescribeInstanceAttribute', body);
  }

  private modifyInstanceAttribute(params: QueryParams): SimResponse {
    const instance = this.instance(params.get('InstanceId'));
    const groups = params.list('GroupId');
    const termination = params.get('DisableApiTermination.Value');
    const shutdown = params.get('InstanceInitiatedShutdownBehavior.Value');
    const mappings = params.structs('BlockDeviceMapping');
    if (shutdown !== undefined) {
      if (shutdown !== 'stop' && shutdown !== 'terminate') throw new Ec2Error('InvalidParameterValue', `Value (${shutdown}) for parameter instanceInitiatedShutdownBehavior is invalid.`);
      instance.shutdownBehavior = shutdown;
    } else if (mappings.length) {
      for (const m of mappings) {
        const attached = instance.volumes.find((v) => v.device === m.get('DeviceName'));
        if (!attached) throw new Ec2Error('InvalidInstanceAttributeValue', `No device is currently mapped at ${m.get('DeviceName') ?? ''}`);
        const dot = m.get('Ebs.DeleteOnTermination');
        if (dot !== undefined) attached.deleteOnTermination = dot === 'true';
      }
    } else if (groups.length) {
      if (instance.networkInterfaces.length !== 1) {
        throw new Ec2Error('InvalidInstanceID', 'There are multiple interfaces attached to instance. Please specify an interface ID for the operation instead.');
      }
      for (const id of groups) {
        if (this.group(id).vpcId !== instance.vpcId) throw new Ec2Error('InvalidGroup.NotFound', `You have specified two resources that belong to different networks.`);
      }
      (instance.networkInterfaces[0] as { groups: string[] }).groups = [...groups];
    } else if (termination !== undefined) {
      // EC2 user guide: "You can't enable termination protection for Spot Instances."
      if (termination === 'true' && instance.market === 'spot') throw new Ec2Error('UnsupportedOperation', `The instance '${instance.id}' is a Spot Instance: termination protection cannot be enabled for Spot Instances.`);
      instance.disableApiTermination = termination === 'true';
    } else {
      throw new Ec2Error('MissingParameter', 'No attributes specified.');
    }
    return ok('ModifyInstanceAttribute', { return: true });
  }

  private describeSecurityGroups(params: QueryParams): SimResponse {
    const ids = params.list('GroupId');
    for (const id of ids) this.group(id);
    const filters = filtersFrom(params);
    const chosen = (ids.length ? ids.map((id) => this.group(id)) : Object.values(this.state.securityGroups)).filter((g) =>
      matchesFilters(filters, (name) => (name === 'group-name' ? g.name : name === 'group-id' ? g.id : name === 'vpc-id' ? g.vpcId : tagFilterField(g.tags, name))),
    );
    return ok('DescribeSecurityGroups', {
      securityGroupInfo: {
        item: chosen.map((g) => ({
          ownerId: this.state.account,
          groupId: g.id,
          groupName: g.name,
          groupDescription: g.description,
          vpcId: g.vpcId,
          securityGroupArn: `arn:aws:ec2:${this.state.region}:${this.state.account}:security-group/${g.id}`,
          ipPermissions: ruleXml(g.ingress),
          ipPermissionsEgress: ruleXml(g.egress),
          tagSet: ec2TagSet(g.tags),
        })),
      },
    });
  }

  private createSecurityGroup(params: QueryParams): SimResponse {
    const name = params.get('GroupName');
    const description = params.get('GroupDescription');
    const vpcId = params.get('VpcId');
    if (!name || !description) throw new Ec2Error('MissingParameter', 'The request must contain the parameter GroupName and GroupDescription');
    if (!vpcId || !this.state.vpcs[vpcId]) throw new Ec2Error('InvalidVpcID.NotFound', `The vpc ID '${vpcId ?? ''}' does not exist`);
    if (Object.values(this.state.securityGroups).some((g) => g.vpcId === vpcId && g.name === name)) {
      throw new Ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
    }
    const tags = tagSpecs(params, 'security-group');
    const group: SimSecurityGroup = { id: nextId(this.state, 'sg'), name, description, vpcId, ingress: [], egress: [{ ...ALLOW_ALL_EGRESS }], tags };
    this.state.securityGroups[group.id] = group;
    return ok('CreateSecurityGroup', { return: true, groupId: group.id, securityGroupArn: `arn:aws:ec2:${this.state.region}:${this.state.account}:security-group/${group.id}`, tagSet: ec2TagSet(tags) });
  }

  /** Rules that match nothing come back in `unknownIpPermissionSet`, as EC2 reports them today. */
  private revoke(params: QueryParams, direction: 'ingress' | 'egress', action: string): SimResponse {
    const group = this.group(params.get('GroupId') ?? '');
    const wanted = rulesFrom(params);
    const unknown = wanted.filter((w) => !group[direction].some((r) => sameRule(r, w)));
    group[direction] = group[direction].filter((r) => !wanted.some((w) => sameRule(r, w)));
    return ok(action, { return: true, ...(unknown.length ? { unknownIpPermissionSet: ruleXml(unknown) } : {}) });
  }

  private modifyNetworkInterfaceAttribute(params: QueryParams): SimResponse {
    const id = params.get('NetworkInterfaceId');
    const owner = Object.values(this.state.instances).find((i) => i.networkInterfaces.some((n) => n.id === id));
    const eni = owner?.networkInterfaces.find((n) => n.id === id);
    if (!owner || !eni) throw new Ec2Error('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id ?? ''}' does not exist`);
    const tracking = ['TcpEstablishedTimeout', 'UdpStreamTimeout', 'UdpTimeout'].map((k) => [k, params.get(`ConnectionTrackingSpecification.${k}`)] as const).filter(([, v]) => v !== undefined);
    if (tracking.length) {
      // EC2's bounds: TCP established 60–432000 s, UDP stream 60–180 s, UDP 30–60 s.
      const bounds: Record<string, [number, number]> = { TcpEstablishedTimeout: [60, 432_000], UdpStreamTimeout: [60, 180], UdpTimeout: [30, 60] };
      const spec: Record<string, number> = {};
      for (const [k, v] of tracking) {
        const n = Number(v);
        const [lo, hi] = bounds[k] as [number, number];
        if (!Number.isInteger(n) || n < lo || n > hi) throw new Ec2Error('InvalidParameterValue', `${k} must be between ${lo} and ${hi}`);
        spec[`${k.charAt(0).toLowerCase()}${k.slice(1)}`] = n;
      }
      eni.connectionTracking = { ...eni.connectionTracking, ...spec };
      return ok('ModifyNetworkInterfaceAttribute', { return: true });
    }
    const groups = params.list('SecurityGroupId');
    if (groups.length === 0) throw new Ec2Error('MissingParameter', 'No attributes specified.');
    for (const g of groups) if (this.group(g).vpcId !== owner.vpcId) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${g}' does not exist in VPC '${owner.vpcId}'`);
    eni.groups = [...groups];
    return ok('ModifyNetworkInterfaceAttribute', { return: true });
  }

  private authorize(params: QueryParams, direction: 'ingress' | 'egress', action: string): SimResponse {
    const group = this.group(params.get('GroupId') ?? '');
    const rules = rulesFrom(params);
    if (rules.some((rule) => group[direction].some((r) => sameRule(r, rule)))) throw new Ec2Error('InvalidPermission.Duplicate', 'the specified rule already exists');
    group[direction].push(...rules);
    return ok(action, { return: true });
  }

  private taggable(id: string): { tags: Record<string, string> } {
    const found = this.state.instances[id] ?? this.state.securityGroups[id] ?? this.state.snapshots[id] ?? this.state.volumes[id];
    if (found) return found;
    const kind = id.startsWith('i-') ? 'InvalidInstanceID' : id.startsWith('sg-') ? 'InvalidGroup' : id.startsWith('snap-') ? 'InvalidSnapshot' : id.startsWith('vol-') ? 'InvalidVolume' : 'InvalidID';
    throw new Ec2Error(kind === 'InvalidID' ? kind : `${kind}.NotFound`, `The ID '${id}' does not exist`);
  }

  private createTags(params: QueryParams): SimResponse {
    const targets = params.list('ResourceId').map((id) => this.taggable(id));
    const tags = params.tags('Tag');
    for (const t of targets) Object.assign(t.tags, tags);
    return ok('CreateTags', { return: true });
  }

  private ensureDefaultAcls(): void {
    const subnets = new Map<string, string>();
    for (const i of Object.values(this.state.instances)) for (const n of i.networkInterfaces) subnets.set(n.subnetId, i.vpcId);
    for (const vpcId of new Set([...Object.keys(this.state.vpcs), ...subnets.values()])) {
      const id = `acl-${hexFrom(`${vpcId}/default-acl`)}`;
      const allow = (ruleNumber: number, egress: boolean, cidr: { cidrIpv4?: string; cidrIpv6?: string }) => ({ ruleNumber, egress, protocol: '-1', action: 'allow' as const, ...cidr });
      this.state.networkAcls[id] ??= {
        id,
        vpcId,
        isDefault: true,
        subnets: [],
        entries: [allow(100, false, { cidrIpv4: '0.0.0.0/0' }), allow(100, true, { cidrIpv4: '0.0.0.0/0' }), allow(101, false, { cidrIpv6: '::/0' }), allow(101, true, { cidrIpv6: '::/0' })],
        tags: {},
      };
    }
    for (const [subnet, vpcId] of subnets) {
      if (Object.values(this.state.networkAcls).some((a) => a.subnets.includes(subnet))) continue;
      this.state.networkAcls[`acl-${hexFrom(`${vpcId}/default-acl`)}`]?.subnets.push(subnet);
    }
  }

  private aclXml(a: SimNetworkAcl): Xml {
    return {
      networkAclId: a.id,
      vpcId: a.vpcId,
      default: a.isDefault ?? false,
      entrySet: {
        item: [...a.entries, { ruleNumber: 32767, egress: false, protocol: '-1', action: 'deny' as const, cidrIpv4: '0.0.0.0/0' }, { ruleNumber: 32767, egress: true, protocol: '-1', action: 'deny' as const, cidrIpv4: '0.0.0.0/0' }].map((e) => ({
          ruleNumber: e.ruleNumber,
          protocol: e.protocol,
          ruleAction: e.action,
          egress: e.egress,
          cidrBlock: e.cidrIpv4,
          ipv6CidrBlock: e.cidrIpv6,
        })),
      },
      associationSet: { item: a.subnets.map((subnetId) => ({ networkAclAssociationId: aclAssociationId(a.id, subnetId), networkAclId: a.id, subnetId })) },
      tagSet: ec2TagSet(a.tags),
    };
  }

  /** Filters `vpc-id`, `network-acl-id`, `default`, `association.subnet-id` (any associated subnet) and tags. */
  private describeNetworkAcls(params: QueryParams): SimResponse {
    this.ensureDefaultAcls();
    const ids = params.list('NetworkAclId');
    const filters = filtersFrom(params);
    const chosen = Object.values(this.state.networkAcls).filter(
      (a) =>
        (ids.length === 0 || ids.includes(a.id)) &&
        filters.every((f) => {
          if (f.name === 'association.subnet-id') return a.subnets.some((s) => f.values.includes(s));
          return matchesFilters([f], (name) => (name === 'vpc-id' ? a.vpcId : name === 'network-acl-id' ? a.id : name === 'default' ? String(a.isDefault ?? false) : tagFilterField(a.tags, name)));
        }),
    );
    return ok('DescribeNetworkAcls', { networkAclSet: { item: chosen.map((a) => this.aclXml(a)) } });
  }

  /** A new network ACL has no rules: only the final deny, in both directions. */
  private createNetworkAcl(params: QueryParams): SimResponse {
    const vpcId = params.get('VpcId');
    if (!vpcId || !this.state.vpcs[vpcId]) throw new Ec2Error('InvalidVpcID.NotFound', `The vpc ID '${vpcId ?? ''}' does not exist`);
    const acl: SimNetworkAcl = { id: nextId(this.state, 'acl'), vpcId, subnets: [], entries: [], tags: tagSpecs(params, 'network-acl') };
    this.state.networkAcls[acl.id] = acl;
    return ok('CreateNetworkAcl', { networkAcl: this.aclXml(acl) });
  }

  private replaceNetworkAclAssociation(params: QueryParams): SimResponse {
    this.ensureDefaultAcls();
    const associationId = params.get('AssociationId');
    const target = this.state.networkAcls[params.get('NetworkAclId') ?? ''];
    if (!target) throw new Ec2Error('InvalidNetworkAclID.NotFound', `The networkAcl ID '${params.get('NetworkAclId') ?? ''}' does not exist`);
    const from = Object.values(this.state.networkAcls).find((a) => a.subnets.some((s) => aclAssociationId(a.id, s) === associationId));
    const subnet = from?.subnets.find((s) => aclAssociationId(from.id, s) === associationId);
    if (!from || !subnet) throw new Ec2Error('InvalidAssociationID.NotFound', `The association ID '${associationId ?? ''}' does not exist`);
    if (target.vpcId !== from.vpcId) throw new Ec2Error('InvalidParameterValue', `The network ACL ${target.id} is not in the subnet's VPC ${from.vpcId}`);
    from.subnets = from.subnets.filter((s) => s !== subnet);
    target.subnets.push(subnet);
    return ok('ReplaceNetworkAclAssociation', { newAssociationId: aclAssociationId(target.id, subnet) });
  }

  private associationXml(i: SimInstance, state: 'associated' | 'disassociated'): Xml {
    const p = i.instanceProfile as NonNullable<SimInstance['instanceProfile']>;
    return { associationId: p.associationId, instanceId: i.id, iamInstanceProfile: { arn: p.arn, id: `AIPA${p.associationId.slice(-16).toUpperCase()}` }, state };
  }

  /** Filters `instance-id` and `state` (associated only: disassociated ones are gone from the estate). */
  private describeProfileAssociations(params: QueryParams): SimResponse {
    const ids = new Set(params.list('AssociationId'));
    const filters = filtersFrom(params);
    const chosen = Object.values(this.state.instances).filter(
      (i) => i.instanceProfile && (ids.size === 0 || ids.has(i.instanceProfile.associationId)) && matchesFilters(filters, (name) => (name === 'instance-id' ? i.id : name === 'state' ? 'associated' : undefined)),
    );
    return ok('DescribeIamInstanceProfileAssociations', { iamInstanceProfileAssociationSet: { item: chosen.map((i) => this.associationXml(i, 'associated')) } });
  }

  private disassociateProfile(params: QueryParams): SimResponse {
    const id = params.get('AssociationId');
    const instance = Object.values(this.state.instances).find((i) => i.instanceProfile?.associationId === id);
    if (!instance) throw new Ec2Error('InvalidAssociationID.NotFound', `An association ID '${id ?? ''}' does not exist`);
    const answer = this.associationXml(instance, 'disassociated');
    // The profile itself still exists (IAM): remember its role for a later re-association.
    (this.state.instanceProfileRoles ??= {})[instance.instanceProfile?.arn ?? ''] ??= instance.instanceProfile?.role ?? '';
    delete instance.instanceProfile;
    return ok('DisassociateIamInstanceProfile', { iamInstanceProfileAssociation: answer });
  }

  /** Associates a profile by ARN; the role is taken to share the profile's name (as the console creates them). */
  private associateProfile(params: QueryParams): SimResponse {
    const instance = this.instance(params.get('InstanceId'));
    if (instance.instanceProfile) throw new Ec2Error('IncorrectState', `There is an existing association for instance ${instance.id}`);
    const arn = params.get('IamInstanceProfile.Arn') ?? (params.get('IamInstanceProfile.Name') ? `arn:aws:iam::${this.state.account}:instance-profile/${params.get('IamInstanceProfile.Name') ?? ''}` : undefined);
    if (!arn) throw new Ec2Error('MissingParameter', 'The request must contain the parameter IamInstanceProfile');
    // The profile's role as the estate last knew it; else the console's convention: the role shares the profile's name.
    const role = this.state.instanceProfileRoles?.[arn] ?? Object.values(this.state.instances).find((i) => i.instanceProfile?.arn === arn)?.instanceProfile?.role ?? (arn.split('/').pop() as string);
    instance.instanceProfile = { associationId: nextId(this.state, 'iip-assoc'), arn, role };
    return ok('AssociateIamInstanceProfile', { iamInstanceProfileAssociation: this.associationXml(instance, 'associated') });
  }
}
