import * as z from 'zod';
import type { Finding, Resource } from '../model.js';
import { toIsoUtc } from './dates.js';
import { type Path, reasonAt, zodReason } from './issues.js';
import { isRecord, parseJson } from './json.js';
import { guardDutySeverity } from './severity.js';
import { stringDetails, tagsFromList } from './tags.js';
import { type Normalized, accept, reject } from './types.js';

const text = z.string().nullish();
const TagList = z.array(z.object({ key: text, value: text })).nullish();

const GuardDutyResource = z.object({
  resourceType: z.string().min(1),
  instanceDetails: z
    .object({
      instanceId: text,
      availabilityZone: text,
      imageId: text,
      tags: TagList,
      iamInstanceProfile: z.object({ arn: text }).nullish(),
      networkInterfaces: z
        .array(
          z.object({ vpcId: text, subnetId: text, securityGroups: z.array(z.object({ groupId: text })).nullish() }),
        )
        .nullish(),
    })
    .nullish(),
  accessKeyDetails: z
    .object({ accessKeyId: text, principalId: text, userName: text, userType: text })
    .nullish(),
  s3BucketDetails: z.array(z.object({ name: text, arn: text, type: text, tags: TagList })).nullish(),
  eksClusterDetails: z.object({ name: text, arn: text, tags: TagList }).nullish(),
  ecsClusterDetails: z.object({ name: text, arn: text, tags: TagList }).nullish(),
  lambdaDetails: z.object({ functionName: text, functionArn: text, tags: TagList }).nullish(),
  rdsDbInstanceDetails: z.object({ dbInstanceIdentifier: text, dbInstanceArn: text, tags: TagList }).nullish(),
});

/** The fields Cordon needs from a GuardDuty finding (camelCase, as EventBridge and the console deliver it). */
const GuardDutyFinding = z.object({
  id: z.string().min(1),
  accountId: z.string().min(1),
  region: z.string().min(1),
  partition: text,
  type: z.string().min(1),
  title: text,
  severity: z.number().min(0).max(10),
  updatedAt: z.string().min(1),
  resource: GuardDutyResource,
  service: z
    .object({ archived: z.boolean().nullish(), eventLastSeen: text, additionalInfo: z.unknown().optional(), action: z.unknown().optional() })
    .nullish(),
});
type GuardDutyFinding = z.infer<typeof GuardDutyFinding>;
type GuardDutyResource = z.infer<typeof GuardDutyResource>;

/** How field names are spelled in the event: camelCase, or PascalCase for the API/CLI shape. */
export type Spelling = 'camel' | 'pascal';

/** Normalizes one GuardDuty finding found at `path` of the event. */
export function normalizeGuardDuty(value: unknown, path: Path, spelling: Spelling = 'camel'): Normalized {
  const input = spelling === 'pascal' ? camelizeKeys(value) : value;
  const at = (keys: readonly (string | number)[]): Path => [
    ...path,
    ...keys.map((k) => (spelling === 'pascal' && typeof k === 'string' ? k.charAt(0).toUpperCase() + k.slice(1) : k)),
  ];
  const parsed = GuardDutyFinding.safeParse(input);
  if (!parsed.success) return reject(zodReason(parsed.error, input, [], at));
  const gd = parsed.data;
  const observedAt = toIsoUtc(gd.service?.eventLastSeen ?? gd.updatedAt);
  if (observedAt === undefined) return reject(reasonAt(at(['updatedAt']), 'expected an ISO-8601 date-time'));
  const resources = guardDutyResources(gd, at);
  if (typeof resources === 'string') return reject(resources);
  const finding: Finding = {
    id: gd.id,
    source: 'guardduty',
    cloud: 'aws',
    type: gd.type,
    title: gd.title || gd.type,
    severity: guardDutySeverity(gd.severity),
    account: gd.accountId,
    region: gd.region,
    observedAt,
    sample: isSample(gd.service?.additionalInfo),
    resources,
    recordState: gd.service?.archived === true ? 'archived' : 'active',
  };
  return accept(finding);
}

/** `service.additionalInfo.sample` is true or "true"; the CLI/API shape nests it as a JSON string in `Value`. */
function isSample(additionalInfo: unknown): boolean {
  if (!isRecord(additionalInfo)) return false;
  const flag = additionalInfo['sample'];
  if (flag === true || flag === 'true') return true;
  const nested = additionalInfo['value'];
  if (typeof nested === 'string') {
    const inner = parseJson(nested);
    return inner.ok && isSample(inner.value);
  }
  return false;
}

function guardDutyResources(gd: GuardDutyFinding, at: (keys: readonly string[]) => Path): Resource[] | string {
  const r = gd.resource;
  const partition = gd.partition || 'aws';
  const where = { region: gd.region, account: gd.accountId };
  const out: Resource[] = [];
  if (r.resourceType === 'Instance') {
    const instanceId = r.instanceDetails?.instanceId;
    if (!instanceId) return reasonAt(at(['resource', 'instanceDetails', 'instanceId']), 'required');
    out.push(instanceResource(partition, gd, instanceId, r));
  }
  for (const bucket of r.s3BucketDetails ?? []) {
    if (!bucket.name) continue;
    out.push({
      type: 'AwsS3Bucket',
      id: `arn:${partition}:s3:::${bucket.name}`,
      tags: tagsFromList(bucket.tags),
      ...where,
      details: stringDetails({ bucketName: bucket.name, bucketType: bucket.type }),
    });
  }
  pushArnResource(out, 'AwsEksCluster', r.eksClusterDetails?.arn, r.eksClusterDetails?.tags, where);
  pushArnResource(out, 'AwsEcsCluster', r.ecsClusterDetails?.arn, r.ecsClusterDetails?.tags, where);
  pushArnResource(out, 'AwsLambdaFunction', r.lambdaDetails?.functionArn, r.lambdaDetails?.tags, where);
  pushArnResource(out, 'AwsRdsDbInstance', r.rdsDbInstanceDetails?.dbInstanceArn, r.rdsDbInstanceDetails?.tags, where);
  const key = r.accessKeyDetails;
  if (r.resourceType === 'AccessKey' && !key?.accessKeyId) {
    return reasonAt(at(['resource', 'accessKeyDetails', 'accessKeyId']), 'required');
  }
  if (key?.accessKeyId) out.push(...principalResources(partition, gd.accountId, key, where));
  return out;
}

function instanceResource(partition: string, gd: GuardDutyFinding, instanceId: string, r: GuardDutyResource): Resource {
  const d = r.instanceDetails;
  const eni = d?.networkInterfaces?.[0];
  const groups = (eni?.securityGroups ?? []).map((g) => g.groupId).filter((g): g is string => !!g);
  return {
    type: 'AwsEc2Instance',
    id: `arn:${partition}:ec2:${gd.region}:${gd.accountId}:instance/${instanceId}`,
    tags: tagsFromList(d?.tags),
    region: gd.region,
    account: gd.accountId,
    details: stringDetails({
      instanceId,
      vpcId: eni?.vpcId,
      subnetId: eni?.subnetId,
      securityGroupIds: groups.join(','),
      availabilityZone: d?.availabilityZone,
      imageId: d?.imageId,
      instanceProfileArn: d?.iamInstanceProfile?.arn,
      ...networkAction(gd.service?.action),
    }),
  };
}

/**
 * The remote end of a network action (`NETWORK_CONNECTION`, `PORT_PROBE`): the simulated estate
 * derives an established flow from it (DESIGN §8). Read leniently: an odd shape only loses the facts.
 */
function networkAction(action: unknown): Record<string, string | undefined> {
  if (!isRecord(action) || typeof action['actionType'] !== 'string') return {};
  const port = (v: unknown) => (isRecord(v) && (typeof v['port'] === 'number' || typeof v['port'] === 'string') ? String(v['port']) : undefined);
  const ip = (v: unknown) => (isRecord(v) ? [v['ipAddressV4'], v['ipAddressV6']].find((a): a is string => typeof a === 'string' && a !== '') : undefined);
  const type = action['actionType'];
  if (type === 'NETWORK_CONNECTION' && isRecord(action['networkConnectionAction'])) {
    const c = action['networkConnectionAction'];
    return {
      networkAction: type,
      remoteIp: ip(c['remoteIpDetails']),
      protocol: typeof c['protocol'] === 'string' ? c['protocol'].toLowerCase() : undefined,
      connectionDirection: typeof c['connectionDirection'] === 'string' ? c['connectionDirection'].toLowerCase() : undefined,
      localPort: port(c['localPortDetails']),
      remotePort: port(c['remotePortDetails']),
    };
  }
  if (type === 'PORT_PROBE' && isRecord(action['portProbeAction']) && Array.isArray(action['portProbeAction']['portProbeDetails'])) {
    const first: unknown = action['portProbeAction']['portProbeDetails'][0];
    if (!isRecord(first)) return {};
    return { networkAction: type, remoteIp: ip(first['remoteIpDetails']), protocol: 'tcp', connectionDirection: 'inbound', localPort: port(first['localPortDetails']) };
  }
  return { networkAction: type };
}

function pushArnResource(
  out: Resource[],
  type: string,
  arn: string | null | undefined,
  tags: readonly { key?: string | null; value?: string | null }[] | null | undefined,
  where: { region: string; account: string },
): void {
  if (arn) out.push({ type, id: arn, tags: tagsFromList(tags), ...where });
}

/** The access key, plus the principal that owns it: the role of an AssumedRole key, the user of an IAMUser key. */
function principalResources(
  partition: string,
  account: string,
  key: NonNullable<GuardDutyResource['accessKeyDetails']>,
  where: { region: string; account: string },
): Resource[] {
  const details = stringDetails({
    accessKeyId: key.accessKeyId,
    userName: key.userName,
    userType: key.userType,
    principalId: key.principalId,
  });
  const out: Resource[] = [{ type: 'AwsIamAccessKey', id: key.accessKeyId as string, tags: {}, ...where, details }];
  const name = key.userName;
  if (name && key.userType === 'AssumedRole') {
    out.push({ type: 'AwsIamRole', id: `arn:${partition}:iam::${account}:role/${name}`, tags: {}, ...where, details });
    // Instance-profile credentials name their instance (`AROA…:i-…`): the host they were taken from is a resource of the incident.
    const source = /:(i-[0-9a-f]{8,17})$/.exec(key.principalId ?? '')?.[1];
    if (source) out.push({ type: 'AwsEc2Instance', id: `arn:${partition}:ec2:${where.region}:${account}:instance/${source}`, tags: {}, ...where, details: stringDetails({ instanceId: source, credentialsOf: name }) });
  } else if (name && key.userType === 'IAMUser') {
    out.push({ type: 'AwsIamUser', id: `arn:${partition}:iam::${account}:user/${name}`, tags: {}, ...where, details });
  } else if (key.userType === 'Root') {
    out.push({ type: 'AwsAccount', id: `AWS::::Account:${account}`, tags: {}, ...where, details });
  }
  return out;
}

/**
 * The GuardDuty API and CLI (`{"Findings": [...]}`) spell every key in PascalCase; the finding is
 * otherwise the same document, so it is read through the camelCase schema.
 */
export function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelizeKeys(v)]),
  );
}
