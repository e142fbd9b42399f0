import * as z from 'zod';
import type { ComplianceStatus, Finding, RecordState, Resource, WorkflowStatus } from '../model.js';
import { toIsoUtc } from './dates.js';
import { type Path, reasonAt, zodReason } from './issues.js';
import { isRecord, parseJson } from './json.js';
import { labelSeverity, normalizedSeverity } from './severity.js';
import { stringDetails } from './tags.js';
import { type Normalized, accept, reject } from './types.js';

const text = z.string().nullish();

const AsffResource = z.object({
  Type: z.string().min(1),
  Id: z.string().min(1),
  Region: text,
  Tags: z.record(z.string(), z.string()).nullish(),
  Details: z.record(z.string(), z.unknown()).nullish(),
});

/** The ASFF fields Cordon needs; ASFF's own required attributes are required here too. */
const AsffFinding = z.object({
  Id: z.string().min(1),
  ProductArn: z.string().min(1),
  AwsAccountId: z.string().min(1),
  GeneratorId: text,
  Types: z.array(z.string()).min(1),
  Title: text,
  Region: text,
  ProductName: text,
  UpdatedAt: z.string().min(1),
  LastObservedAt: text,
  Severity: z
    .object({ Label: text, Normalized: z.number().nullish() })
    .refine((s) => !!s.Label || typeof s.Normalized === 'number', { message: 'needs Label or Normalized' }),
  Resources: z.array(AsffResource).min(1),
  Compliance: z.object({ Status: text, SecurityControlId: text }).nullish(),
  RecordState: text,
  Workflow: z.object({ Status: text }).nullish(),
  WorkflowState: text,
  ProductFields: z.record(z.string(), z.string()).nullish(),
  Sample: z.boolean().nullish(),
});
type AsffFinding = z.infer<typeof AsffFinding>;

/** Normalizes one ASFF finding found at `path`; `fallbackRegion` is the EventBridge envelope's region. */
export function normalizeSecurityHub(value: unknown, path: Path, fallbackRegion?: string): Normalized {
  const parsed = AsffFinding.safeParse(value);
  if (!parsed.success) return reject(zodReason(parsed.error, value, path));
  const f = parsed.data;
  const severity = f.Severity.Label ? labelSeverity(f.Severity.Label) : undefined;
  const normalized = f.Severity.Normalized;
  const resolvedSeverity = severity ?? (typeof normalized === 'number' ? normalizedSeverity(normalized) : undefined);
  if (resolvedSeverity === undefined) {
    return reject(reasonAt([...path, 'Severity', 'Label'], `unknown severity label ${JSON.stringify(f.Severity.Label)}`));
  }
  const observedAt = toIsoUtc(f.LastObservedAt || f.UpdatedAt);
  if (observedAt === undefined) return reject(reasonAt([...path, 'UpdatedAt'], 'expected an ISO-8601 date-time'));
  // Where the finding happened: its own Region, else the resource's (a GuardDuty relay carries no top-level
  // Region and its ProductArn names Security Hub's region, which is where it was imported, not where it ran).
  const region = [f.Region, f.Resources[0]?.Region, arnRegion(f.Id), arnRegion(f.ProductArn), fallbackRegion].find(isRegion);
  if (!region) return reject(reasonAt([...path, 'Region'], 'required (not in Resources[0].Region or ProductArn either)'));
  const relayed = isGuardDutyRelay(f);
  const finding: Finding = {
    id: f.Id,
    source: 'securityhub',
    cloud: 'aws',
    type: findingType(f, relayed),
    title: f.Title || (f.Types[0] as string),
    severity: resolvedSeverity,
    account: f.AwsAccountId,
    region,
    observedAt,
    sample: f.Sample === true || isGuardDutySample(f.ProductFields),
    resources: f.Resources.map((r) => asffResource(r, f.AwsAccountId, region)),
    productArn: f.ProductArn,
  };
  const original = relayed ? guardDutyFindingId(f) : undefined;
  if (original) finding.relayOf = { source: 'guardduty', id: original };
  const control = controlId(f);
  if (control) finding.control = control;
  const recordState = lower<RecordState>(f.RecordState, ['active', 'archived']);
  if (recordState) finding.recordState = recordState;
  const workflowStatus = workflow(f);
  if (workflowStatus) finding.workflowStatus = workflowStatus;
  const compliance = lower<ComplianceStatus>(f.Compliance?.Status, ['passed', 'failed', 'warning', 'not_available']);
  if (compliance) finding.complianceStatus = compliance;
  return accept(finding);
}

function lower<T extends string>(value: string | null | undefined, allowed: readonly T[]): T | undefined {
  const v = value?.toLowerCase();
  return allowed.find((a) => a === v);
}

/** `arn:aws:securityhub:us-east-1::product/aws/securityhub` → `us-east-1`; undefined when `value` is no ARN. */
function arnRegion(value: string): string | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const region = value.split(':')[3];
  return region ? region : undefined;
}

/** An AWS region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`), never a service name read from a misparsed ARN. */
export function isRegion(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(value);
}

/**
 * Workflow.Status is current; the deprecated WorkflowState maps as Security Hub maps it
 * (ASSIGNED/IN_PROGRESS → NOTIFIED, DEFERRED → SUPPRESSED).
 */
function workflow(f: AsffFinding): WorkflowStatus | undefined {
  const status = lower<WorkflowStatus>(f.Workflow?.Status, ['new', 'notified', 'resolved', 'suppressed']);
  if (status) return status;
  switch (f.WorkflowState?.toUpperCase()) {
    case 'NEW':
      return 'new';
    case 'ASSIGNED':
    case 'IN_PROGRESS':
      return 'notified';
    case 'DEFERRED':
      return 'suppressed';
    case 'RESOLVED':
      return 'resolved';
    default:
      return undefined;
  }
}

/**
 * The control id routing matches on. Consolidated ids (Compliance.SecurityControlId) win, then the
 * standard's ControlId, then GeneratorId's `…/v/x.y.z/<CONTROL>`. Legacy CIS rules (`…/rule/2.3`, RuleId)
 * become `CIS.2.3`, so they cannot collide with consolidated ids such as `S3.1`.
 */
export function controlId(f: Pick<AsffFinding, 'Compliance' | 'ProductFields' | 'GeneratorId'>): string | undefined {
  const fields = f.ProductFields ?? {};
  const direct = f.Compliance?.SecurityControlId || fieldOf(fields, 'ControlId');
  if (direct) return direct;
  const generator = f.GeneratorId ?? '';
  const cisRule = /cis-aws-foundations-benchmark\/v\/[^/]+\/rule\/([^/]+)$/.exec(generator)?.[1] ?? fieldOf(fields, 'RuleId');
  if (cisRule) return `CIS.${cisRule}`;
  return /\/v\/\d+(?:\.\d+)*\/([^/]+)$/.exec(generator)?.[1];
}

function fieldOf(fields: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(fields, key) && fields[key] ? fields[key] : undefined;
}

/**
 * GuardDuty's product in Security Hub: `arn:aws:securityhub:REGION::product/aws/guardduty` (the account
 * field is empty), in any partition. Older imports and some relays also name it in ProductName or in
 * ProductFields `aws/securityhub/ProductName`.
 */
const GUARDDUTY_PRODUCT = /^arn:aws[a-z-]*:securityhub:[^:]*:[^:]*:product\/aws\/guardduty$/;

function isGuardDutyRelay(f: AsffFinding): boolean {
  return (
    GUARDDUTY_PRODUCT.test(f.ProductArn) ||
    f.ProductName === 'GuardDuty' ||
    fieldOf(f.ProductFields ?? {}, 'aws/securityhub/ProductName') === 'GuardDuty'
  );
}

/**
 * The GuardDuty finding id behind a relayed finding: ASFF `Id` is the GuardDuty finding ARN
 * (`arn:aws:guardduty:REGION:ACCOUNT:detector/D/finding/ID`); older relays keep it in ProductFields.
 */
function guardDutyFindingId(f: AsffFinding): string | undefined {
  const fromArn = (value: string | undefined): string | undefined => (value ? /:guardduty:[^:]*:[^:]*:detector\/[^/]+\/finding\/([^/]+)$/.exec(value)?.[1] : undefined);
  const fields = f.ProductFields ?? {};
  return fromArn(f.Id) ?? fromArn(fieldOf(fields, 'aws/securityhub/FindingId')) ?? fieldOf(fields, 'aws/guardduty/service/findingId');
}

/**
 * Types[0] is ASFF's `namespace/category/classifier`. For a GuardDuty finding imported into Security
 * Hub the classifier is the GuardDuty type with its `/` written as `-` (`Backdoor:EC2-C&CActivity.B!DNS`);
 * it is turned back (`Backdoor:EC2/C&CActivity.B!DNS`) so the same playbook type globs match both sources.
 */
function findingType(f: AsffFinding, relayed: boolean): string {
  const first = f.Types[0] as string;
  if (!relayed) return first;
  const classifier = first.split('/').pop() ?? first;
  const m = /^([A-Za-z]+:[A-Za-z0-9]+)-(.+)$/.exec(classifier);
  return m ? `${m[1]}/${m[2]}` : first;
}

/**
 * GuardDuty copies its sample flag into ProductFields: `aws/guardduty/service/additionalInfo/sample = "true"`
 * today; 2018-era imports keep the whole additionalInfo as a JSON string under un-prefixed keys
 * (`additionalInfo = "{\"sample\":true}"`).
 */
function isGuardDutySample(fields: Record<string, string> | null | undefined): boolean {
  if (!fields) return false;
  return Object.entries(fields).some(([k, v]) => {
    if (/(^|\/)additionalInfo\/sample$/i.test(k)) return v.trim().toLowerCase() === 'true';
    if (!/(^|\/)additionalInfo$/i.test(k) || !v.trim().startsWith('{')) return false;
    const inner = parseJson(v);
    if (!inner.ok || !isRecord(inner.value)) return false;
    const flag = inner.value['sample'];
    return flag === true || flag === 'true';
  });
}

function asffResource(r: z.infer<typeof AsffResource>, account: string, region: string): Resource {
  const arnAccount = r.Id.startsWith('arn:') ? r.Id.split(':')[4] : undefined;
  const resource: Resource = {
    type: r.Type,
    id: r.Id,
    tags: r.Tags ? Object.fromEntries(Object.entries(r.Tags)) : {},
    region: r.Region || region,
    account: arnAccount || account,
  };
  // One level of the type's own Details (VpcId, SubnetId, UserName…) is what actions need.
  const own = r.Details && Object.hasOwn(r.Details, r.Type) ? r.Details[r.Type] : undefined;
  if (isRecord(own)) {
    const details = stringDetails(own);
    if (Object.keys(details).length > 0) resource.details = details;
  }
  return resource;
}
