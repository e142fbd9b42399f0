/**
 * The vocabulary every layer shares: normalized findings, incidents, steps and clocks.
 * Field names follow DESIGN.md §3 (the `cordon plan --json` contract).
 */

/** Where a finding came from: `ocsf` is an OCSF Detection Finding (Security Hub V2, Security Lake). */
export const SOURCES = ['guardduty', 'securityhub', 'defender', 'ocsf'] as const;
export type Source = (typeof SOURCES)[number];

export type Cloud = 'aws' | 'azure';

/** Ordered from least to most severe; index order is used for severity floors. */
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Resource types Cordon acts on: ASFF names for AWS, ARM types for Azure, and
 * `Microsoft.Graph/users` for Entra users. Other types from findings (e.g. AwsKmsKey)
 * are kept verbatim so routing can still see them.
 */
export const RESOURCE_TYPES = [
  'AwsEc2Instance',
  'AwsIamRole',
  'AwsIamUser',
  'AwsIamAccessKey',
  'AwsS3Bucket',
  'AwsAccount',
  'Microsoft.Compute/virtualMachines',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Graph/users',
] as const;
export type KnownResourceType = (typeof RESOURCE_TYPES)[number];
export type ResourceType = KnownResourceType | (string & {});

export interface Resource {
  type: ResourceType;
  /** ARN for AWS (an instance may be its bare id), ARM id for Azure, object id or UPN for users. */
  id: string;
  /** Tags as the finding reports them; `cordon:exempt` and `cordon:approval` are read from here. */
  tags: Record<string, string>;
  region?: string;
  account?: string;
  /** Source-specific facts that actions or the estate may use (e.g. accessKeyId, userName, vpcId). */
  details?: Record<string, string>;
}

/** ASFF-style lifecycle fields, lower-cased; absent when the source has no such notion. */
export type RecordState = 'active' | 'archived';
export type WorkflowStatus = 'new' | 'notified' | 'resolved' | 'suppressed';
export type ComplianceStatus = 'passed' | 'failed' | 'warning' | 'not_available';

export interface Finding {
  id: string;
  source: Source;
  cloud: Cloud;
  /** GuardDuty type, ASFF Types[0], Defender alertType, Graph category/title. */
  type: string;
  title: string;
  severity: Severity;
  /** AWS account id or Azure subscription id (or tenant id for identity alerts). */
  account: string;
  region: string;
  /** ISO-8601 UTC. */
  observedAt: string;
  /** GuardDuty `service.additionalInfo.sample`, or a sample/test flag from the other sources. */
  sample: boolean;
  resources: Resource[];
  /** Security Hub control id (S3.1, EC2.8 …) when the finding is a control check. */
  control?: string;
  recordState?: RecordState;
  workflowStatus?: WorkflowStatus;
  complianceStatus?: ComplianceStatus;
  /** Security Hub ProductArn, needed to update the finding (BatchUpdateFindings). */
  productArn?: string;
  /** ARM id of a Defender alert, or Graph alert id, needed to update its status. */
  alertResourceId?: string;
  /**
   * The original finding this one relays (GuardDuty's own finding id behind its Security Hub or OCSF copy):
   * one breach is one incident, whichever copy arrives (see incident-id.ts).
   */
  relayOf?: { source: Source; id: string };
}

/** A finding as received: the normalized view plus the raw event kept for the record. */
export interface IngestedFinding {
  finding: Finding;
  raw: unknown;
  /** SHA-256 (hex) of the raw event's canonical JSON, for the evidence manifest. */
  rawSha256: string;
  /** The file or channel it came from. */
  origin: string;
}

export const PHASES = ['contain', 'preserve', 'notify'] as const;
export type Phase = (typeof PHASES)[number];

/** automatic: from a cloud event; manual: `cordon run`; tabletop: replay on the simulated estate. */
export type Mode = 'automatic' | 'manual' | 'tabletop';

export interface Target {
  type: ResourceType | 'finding' | 'incident';
  id: string;
}

/**
 * A step acts on a cloud resource unless its target is the finding itself (update-finding) or the
 * incident (clocks, notifications): only resource steps count against the per-account action budget
 * and have resource types to match.
 */
export function isResourceType(type: Target['type']): boolean {
  return type !== 'finding' && type !== 'incident';
}

export function isResourceTarget(target: Pick<Target, 'type'>): boolean {
  return isResourceType(target.type);
}

export interface PlannedStep {
  /** Stable within an incident: `${action}:${target.id}`. */
  id: string;
  action: ActionName;
  target: Target;
  phase: Phase;
  /** Step ids that must finish first (notify waits for contain and preserve). */
  dependsOn: string[];
  /** Where to act: the target's account/subscription and region. */
  account: string;
  region: string;
  /** Waits for a person (`cordon:approval=required` or the playbook's setting). */
  approval: boolean;
  params: Record<string, string | number | boolean>;
}

export const SKIP_REASONS = [
  'exempt',
  'sample-finding',
  'blast-radius-targets',
  'blast-radius-account-rate',
  'blast-radius-org-rate',
  'unsupported-target',
  'already-done',
  /** The finding's producer is not trusted (DESIGN.md §4): only a person may let it act. */
  'untrusted',
  /** The target is outside the allowed accounts/subscriptions, Cordon's own, or a protected principal. */
  'account-scope',
  /** The kill switch is on (`cordon pause`). */
  'paused',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkippedStep {
  action: ActionName;
  target: Target;
  phase: Phase;
  reason: SkipReason;
  /** Human explanation, e.g. "tag cordon:exempt=true on i-0abc". */
  detail: string;
}

/** DESIGN.md §5. `gdpr-art33-processor`: a processor notifies its controller (Art. 33(2)); `gdpr-art34`: communicate to the people (Art. 34). */
export const CLOCK_REGIMES = ['gdpr-art33', 'gdpr-art33-processor', 'gdpr-art34', 'nis2-early-warning', 'nis2-notification', 'nis2-final'] as const;
export type ClockRegime = (typeof CLOCK_REGIMES)[number];

/** Whether the affected resources hold personal data, from their classification tags. */
export const PERSONAL_DATA = ['yes', 'no', 'unknown'] as const;
export type PersonalData = (typeof PERSONAL_DATA)[number];

/** The breach register's life cycle (GDPR Art. 33(5)): only a person moves an entry to not-notifiable or notified. */
export const ASSESSMENT_STATUSES = ['assessing', 'notifiable', 'not-notifiable', 'notified'] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];

/**
 * What the finding says about a possible personal data breach (DESIGN.md §5): `exposure` — data shown
 * exposed, accessed or exfiltrated; `compromise` — a host or identity taken over; `posture` — a
 * compliance control FAILED (nobody is shown to have read anything); `other` — any other threat.
 */
export const BREACH_TRIGGERS = ['exposure', 'compromise', 'posture', 'other'] as const;
export type BreachTrigger = (typeof BREACH_TRIGGERS)[number];

export interface BreachAssessment {
  personalData: PersonalData;
  status: AssessmentStatus;
  /** Why: the tags read, the kind of finding, which clocks opened or why none did. */
  basis: string;
  trigger: BreachTrigger;
  /** A resource is classified special-category (GDPR Art. 9). */
  specialCategory: boolean;
  /** The finding shows the resource open to anyone. */
  public: boolean;
}

export interface Clock {
  regime: ClockRegime;
  /** ISO-8601 UTC. */
  awareAt: string;
  deadline: string;
}

/** The trust step's verdict (DESIGN.md §4): may this finding act without a person? */
export interface Trust {
  trusted: boolean;
  reason: string;
}

export interface Incident {
  /** `inc-` + a hash of the finding's source and id: redeliveries collapse. */
  id: string;
  finding: Finding;
  trust: Trust;
  playbook: string | null;
  steps: PlannedStep[];
  skipped: SkippedStep[];
  clocks: Clock[];
  /** The breach assessment every incident gets (GDPR Art. 33(5)); absent only on records written before it existed. */
  assessment?: BreachAssessment;
}

export interface Rejected {
  file: string;
  reason: string;
}

/** Names fixed by DESIGN.md §3, derived from the action catalog (the one home of every per-action fact). */
import type { ActionName } from './actions/catalog.js';
export { ACTION_NAMES, type ActionName } from './actions/catalog.js';
