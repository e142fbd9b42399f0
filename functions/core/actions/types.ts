import type { ActionName, Clock, Mode, Phase, ResourceType, Source, Target } from '../model.js';

/** What one Task state hands the action runner: one action on one target. */
export interface ActionInput {
  incidentId: string;
  /** `${action}:${target.id}`, used to correlate API calls with the step. */
  stepId: string;
  action: ActionName;
  target: Target;
  account: string;
  region: string;
  mode: Mode;
  finding: {
    id: string;
    source: Source;
    productArn?: string;
    alertResourceId?: string;
    /** When the finding was observed (ISO-8601); lets revoke-user-sessions tell whether it already ran. */
    observedAt?: string;
  };
  params: Record<string, string | number | boolean>;
}

/**
 * What undoing one step needs: the step as it ran, and the before / after states its `step.end`
 * audit record holds (the only source of truth for a release: never tags, which an attacker can rewrite).
 */
export interface ReleaseInput extends Pick<ActionInput, 'incidentId' | 'stepId' | 'action' | 'target' | 'account' | 'region'> {
  before: unknown;
  after: unknown;
}

/** Error classes are stable names: ASL `Retry`/`Catch` match on `Cordon.<class>`. */
export const ERROR_CLASSES = [
  'Throttled',
  'Transient',
  'Timeout',
  'NotFound',
  'AccessDenied',
  'InvalidTarget',
  'Conflict',
  /** The live check wants a person first (the target's live tags say so, or could not be read): the workflow asks for approval. */
  'ApprovalRequired',
  'Unknown',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];
export const RETRYABLE: ReadonlySet<ErrorClass> = new Set(['Throttled', 'Transient', 'Timeout']);

/**
 * What keeps a preserved copy from being deleted by whoever holds the compromised account: an EBS
 * snapshot lock (governance can be lifted by a permitted user; compliance, once its cooling-off
 * period is over, by nobody until it expires) or an Azure management lock.
 */
export type EvidenceLock =
  | { kind: 'ebs-snapshot-lock'; mode: 'governance' | 'compliance'; expiresOn: string; coolOffExpiresOn?: string }
  | { kind: 'management-lock'; level: 'CanNotDelete'; id: string };

/** One item of the evidence manifest (a snapshot, an isolation record …). */
export interface EvidenceItem {
  kind: 'ebs-snapshot' | 'disk-snapshot' | 'isolation' | 'original-config' | 'session-revocation';
  id: string;
  /** The resource the evidence is about (volume id, disk id, instance …). */
  of: string;
  takenAt: string;
  tags: Record<string, string>;
  details?: Record<string, unknown>;
  /** The lock on a preserved copy; absent = not locked (yet). */
  lock?: EvidenceLock;
  /** Where a copy went, `<account>:<snapshot id>` (the forensic account's copy); absent = not copied. */
  copiedTo?: string;
}

/** True for the kinds that are preserved copies of data (snapshots), which must end up locked. */
export function isPreservedCopy(item: Pick<EvidenceItem, 'kind'>): boolean {
  return item.kind === 'ebs-snapshot' || item.kind === 'disk-snapshot';
}

/**
 * Where an action records evidence the moment the cloud has made it, before the action returns:
 * a process killed between the cloud call and the step's end still leaves the ids in the audit
 * log and the evidence manifest. Recording an item again (with its lock, its copy) updates it.
 */
export interface EvidenceSink {
  record(items: readonly EvidenceItem[]): Promise<void>;
}

export type ActionResult =
  | {
      status: 'succeeded';
      /** State before and after, as the cloud reported it; goes to the audit log. */
      before: unknown;
      after: unknown;
      evidence: EvidenceItem[];
      clocks?: Clock[];
      summary: string;
    }
  | {
      status: 'skipped';
      reason: string;
      summary: string;
      before?: unknown;
      /** Evidence an `already-done` step found in place (snapshots recovered by tag), so the manifest still lists it. */
      evidence?: EvidenceItem[];
    }
  | { status: 'failed'; errorClass: ErrorClass; message: string };

/** An API call a dry run prints, in permission-style naming (`ec2:ModifyInstanceAttribute`). */
export interface PlannedCall {
  operation: string;
  request: Record<string, unknown>;
}

/** IAM condition block (`{ StringEquals: { 'aws:ResourceTag/k': 'v' } }`). */
export type IamConditions = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * Where one IAM action may act: ARN templates with `{partition}` and `{account}` placeholders
 * (the infra fills them in), and optional conditions.
 */
export interface PermissionGrant {
  resources: readonly string[];
  conditions?: IamConditions;
}

/**
 * One permission an action needs. AWS IAM actions carry their resource scope (`grants`) and
 * `why` a wildcard is unavoidable (the cdk-nag acknowledgement reason); a missing scope stops
 * synth. Azure RBAC operations and `graph:<permission>` carry none: the role definition is
 * assigned at a scope by the operator.
 */
export interface Permission {
  action: string;
  grants?: readonly PermissionGrant[];
  why?: string;
}

/** Static facts about an action, all of them: pure, importable by the planner, the infra and the tests. */
export interface ActionSpec<N extends string = ActionName> {
  name: N;
  cloud: 'aws' | 'azure' | 'cordon';
  phase: Phase;
  /** Target types the action accepts. */
  targets: readonly (ResourceType | 'finding' | 'incident')[];
  summary: string;
  /** IAM actions (aws), Azure RBAC operations and `graph:<permission>` (azure). Least privilege derives from these. */
  permissions: readonly Permission[];
  /**
   * The call that changes the cloud, named as the simulated estate names operations
   * (`ec2:ModifyInstanceAttribute`, `Microsoft.Network/networkInterfaces/write`, `graph:revokeSignInSessions`);
   * fault tests force their faults on it. None for actions that only change Cordon's own records.
   */
  mutatingCall?: string;
  /** Why a finding's resource of another type is left alone, where there is more to say than the type (by resource type). */
  unsupportedHints?: Readonly<Partial<Record<ResourceType, string>>>;
  /** A target of the right type that the action still cannot take: the reason, or undefined when it can (details: what the finding says of it). */
  unfitTarget?: (target: { type: ResourceType; id: string; details?: Readonly<Record<string, string>> }) => string | undefined;
  /** `required`: every step of this action waits for a person, whatever the playbook says (it breaks applications). */
  approval?: 'required';
  /** Whether `cordon release` can undo it from its recorded before-state (DESIGN.md §3: preservation cannot). */
  releasable: boolean;
}

/** The permission names an action declares, without their scopes. */
export function permissionNames(spec: Pick<ActionSpec<string>, 'permissions'>): string[] {
  return spec.permissions.map((p) => p.action);
}
