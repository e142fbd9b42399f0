import * as z from 'zod';
import type { Finding, Resource, Severity, WorkflowStatus } from '../model.js';
import { toIsoUtc } from './dates.js';
import { type Path, reasonAt, zodReason } from './issues.js';
import { isRecord } from './json.js';
import { isRegion } from './securityhub.js';
import { labelSeverity } from './severity.js';
import { stringDetails } from './tags.js';
import { type Normalized, accept, reject, translate } from './types.js';

/** OCSF class 2004: the findings Security Hub (V2) delivers as `Findings Imported V2` and Security Lake stores. */
export const OCSF_DETECTION_FINDING = 2004;

const text = z.string().nullish();
const Account = z.object({ uid: text }).loose().nullish();

const OcsfResource = z
  .object({
    type: text,
    uid: text,
    name: text,
    region: text,
    cloud_partition: text,
    owner: z.object({ account: Account }).loose().nullish(),
    tags: z.array(z.object({ name: text, value: text }).loose()).nullish(),
    data: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();

/** The fields Cordon needs from an OCSF Detection Finding (OCSF 1.x, as Security Hub fills it). */
const OcsfFinding = z
  .object({
    class_uid: z.literal(OCSF_DETECTION_FINDING),
    finding_info: z
      .object({
        uid: z.string().min(1),
        uid_alt: text,
        title: text,
        types: z.array(z.string()).nullish(),
        last_seen_time_dt: text,
        modified_time_dt: text,
      })
      .loose(),
    metadata: z.object({ product: z.object({ name: text, uid: text }).loose().nullish() }).loose().nullish(),
    cloud: z.object({ account: Account, region: text, cloud_partition: text }).loose().nullish(),
    severity: text,
    severity_id: z.number().int().nullish(),
    status: text,
    status_id: z.number().int().nullish(),
    time_dt: text,
    time: z.number().nullish(),
    resources: z.array(OcsfResource).nullish(),
    unmapped: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();
type OcsfFinding = z.infer<typeof OcsfFinding>;
type OcsfResource = z.infer<typeof OcsfResource>;

/** OCSF severity_id: 1 Informational … 5 Critical, 6 Fatal (read as critical). */
const SEVERITY_IDS: readonly (Severity | undefined)[] = [undefined, 'informational', 'low', 'medium', 'high', 'critical', 'critical'];

/** OCSF finding status (status_id 1–5) → ASFF-style workflow status. */
const STATUS = new Map<string, WorkflowStatus>([
  ['new', 'new'],
  ['in progress', 'notified'],
  ['suppressed', 'suppressed'],
  ['resolved', 'resolved'],
]);
const STATUS_IDS: readonly (string | undefined)[] = [undefined, 'new', 'in progress', 'suppressed', 'resolved', 'archived'];

/**
 * OCSF names AWS resources by their CloudFormation type; routing and actions speak ASFF names (DESIGN §3).
 * Types not listed here are kept verbatim.
 */
const RESOURCE_TYPES = new Map<string, string>([
  ['aws::ec2::instance', 'AwsEc2Instance'],
  ['aws::iam::role', 'AwsIamRole'],
  ['aws::iam::user', 'AwsIamUser'],
  ['aws::iam::accesskey', 'AwsIamAccessKey'],
  ['aws::s3::bucket', 'AwsS3Bucket'],
  ['aws::::account', 'AwsAccount'],
  ['aws::account', 'AwsAccount'],
]);

const GUARDDUTY_PRODUCT = /:productv?2?\/aws\/guardduty$/;
const SECURITY_HUB_PRODUCT = /^arn:aws(?:-[a-z]+)*:securityhub:[a-z0-9-]+:\d{0,12}:product(?:v2)?\//;

/** Does this look like an OCSF event (so that a wrong class or a missing field is reported, not "unrecognized")? */
export function looksLikeOcsf(value: Record<string, unknown>): boolean {
  return typeof value['class_uid'] === 'number' && ('finding_info' in value || 'metadata' in value || 'category_uid' in value);
}

/** Normalizes one OCSF Detection Finding found at `path`; `fallbackRegion` is the EventBridge envelope's region. */
export function normalizeOcsf(value: unknown, path: Path, fallbackRegion?: string): Normalized {
  if (isRecord(value) && typeof value['class_uid'] === 'number' && value['class_uid'] !== OCSF_DETECTION_FINDING) {
    const name = typeof value['class_name'] === 'string' ? ` (${value['class_name']})` : '';
    return reject(
      reasonAt([...path, 'class_uid'], `OCSF class ${value['class_uid']}${name} is not a Detection Finding (class_uid ${OCSF_DETECTION_FINDING}); Cordon responds to detections only`),
    );
  }
  const parsed = OcsfFinding.safeParse(value);
  if (!parsed.success) return reject(zodReason(parsed.error, value, path));
  const f = parsed.data;
  const info = f.finding_info;
  const severity = (f.severity ? labelSeverity(f.severity) : undefined) ?? SEVERITY_IDS[f.severity_id ?? 0];
  if (!severity) return reject(reasonAt([...path, 'severity'], `unknown severity ${JSON.stringify(f.severity ?? f.severity_id ?? null)}`));
  const time = info.last_seen_time_dt || info.modified_time_dt || f.time_dt || (typeof f.time === 'number' ? new Date(f.time).toISOString() : undefined);
  if (!time) return reject(reasonAt([...path, 'time_dt'], 'required'));
  const observedAt = toIsoUtc(time);
  if (!observedAt) return reject(reasonAt([...path, 'time_dt'], 'expected an ISO-8601 date-time'));
  const firstResource = f.resources?.[0];
  const account = f.cloud?.account?.uid || firstResource?.owner?.account?.uid;
  if (!account) return reject(reasonAt([...path, 'cloud', 'account', 'uid'], 'required'));
  const region = [f.cloud?.region, firstResource?.region, fallbackRegion].find(isRegion);
  if (!region) return reject(reasonAt([...path, 'cloud', 'region'], 'required (not in resources[0].region either)'));
  const product = f.metadata?.product;
  const guardDuty = product?.name === 'GuardDuty' || GUARDDUTY_PRODUCT.test(product?.uid ?? '');
  const partition = f.cloud?.cloud_partition || firstResource?.cloud_partition || 'aws';
  const type = info.types?.find((t) => t !== '') || info.title;
  if (!type) return reject(reasonAt([...path, 'finding_info', 'types'], 'required (no title either)'));
  const finding: Finding = {
    id: info.uid,
    source: 'ocsf',
    cloud: 'aws',
    type,
    title: info.title || type,
    severity,
    account,
    region,
    observedAt,
    sample: isSample(f),
    resources: (f.resources ?? []).flatMap((r) => ocsfResources(r, { account, region, partition })),
  };
  // Security Hub V2 names the producer by an ARN like ASFF's ProductArn (`…::productv2/aws/guardduty`): the trust step judges it the same way.
  if (product?.uid && SECURITY_HUB_PRODUCT.test(product.uid)) finding.productArn = product.uid;
  const status = translate(STATUS, f.status) ?? translate(STATUS, STATUS_IDS[f.status_id ?? 0]);
  if (status) finding.workflowStatus = status;
  const archived = (f.status ?? STATUS_IDS[f.status_id ?? 0] ?? '').toLowerCase() === 'archived';
  finding.recordState = archived ? 'archived' : 'active';
  const original = guardDuty ? guardDutyId(f) : undefined;
  if (original) finding.relayOf = { source: 'guardduty', id: original };
  return accept(finding);
}

/** GuardDuty's own finding id: `finding_info.uid_alt`, or the last segment of the finding ARN in `finding_info.uid`. */
function guardDutyId(f: OcsfFinding): string | undefined {
  return f.finding_info.uid_alt || /:guardduty:[^:]*:[^:]*:detector\/[^/]+\/finding\/([^/]+)$/.exec(f.finding_info.uid)?.[1];
}

/**
 * Security Hub has no documented OCSF sample flag; a GuardDuty sample keeps `additionalInfo.sample` when the
 * producer copies GuardDuty's service fields into `unmapped`, so that is honoured.
 */
function isSample(f: OcsfFinding): boolean {
  const additional = f.unmapped?.['additionalInfo'];
  const flag = isRecord(additional) ? additional['sample'] : f.unmapped?.['sample'];
  return flag === true || flag === 'true';
}

function ocsfResources(r: OcsfResource, where: { account: string; region: string; partition: string }): Resource[] {
  if (!r.uid) return [];
  const type = (r.type && RESOURCE_TYPES.get(r.type.toLowerCase())) || r.type || 'Other';
  const region = isRegion(r.region) ? r.region : where.region;
  const account = r.owner?.account?.uid || where.account;
  const tags = Object.fromEntries((r.tags ?? []).filter((t) => t.name).map((t) => [t.name as string, t.value ?? '']));
  const data = r.data ?? {};
  if (type === 'AwsEc2Instance') {
    // An instance may be named by its ARN or its bare id; actions and step ids use the ARN, as for GuardDuty.
    const instanceId = /(?:^|instance\/)(i-[0-9a-f]+)$/.exec(r.uid)?.[1];
    const id = r.uid.startsWith('arn:') || !instanceId ? r.uid : `arn:${where.partition}:ec2:${region}:${account}:instance/${instanceId}`;
    return [{ type, id, tags, region, account, details: stringDetails({ instanceId, name: r.name }) }];
  }
  const details = stringDetails({
    name: r.name,
    accessKeyId: data['access_key_id'],
    userName: data['user_name'],
    userType: data['user_type'],
    principalId: data['principal_id'],
  });
  const out: Resource[] = [{ type, id: r.uid, tags, region, account, details }];
  // An access key names its principal: the role of an AssumedRole key, the user of an IAMUser key.
  const userName = details['userName'];
  if (type === 'AwsIamAccessKey' && userName && details['userType'] === 'AssumedRole') {
    out.push({ type: 'AwsIamRole', id: `arn:${where.partition}:iam::${account}:role/${userName}`, tags: {}, region, account, details });
  } else if (type === 'AwsIamAccessKey' && userName && details['userType'] === 'IAMUser') {
    out.push({ type: 'AwsIamUser', id: `arn:${where.partition}:iam::${account}:user/${userName}`, tags: {}, region, account, details });
  }
  return out;
}
