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

/** Error classes are stable names: ASL `Retry`/`Catch` match on `Cordon.<class>`. */
export const ERROR_CLASSES = [
  'Throttled',
  'Transient',
  'Timeout',
  'NotFound',
  'AccessDenied',
  'InvalidTarget',
  'Conflict',
  'Unknown',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];
export const RETRYABLE: ReadonlySet<ErrorClass> = new Set(['Throttled', 'Transient', 'Timeout']);

/** One item of the evidence manifest (a snapshot, an isolation record …). */
export interface EvidenceItem {
  kind: 'ebs-snapshot' | 'disk-snapshot' | 'isolation' | 'original-config' | 'session-revocation';
  id: string;
  /** The resource the evidence is about (volume id, disk id, instance …). */
  of: string;
  takenAt: string;
  tags: Record<string, string>;
  details?: Record<string, unknown>;
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
  | { status: 'skipped'; reason: string; summary: string; before?: unknown }
  | { status: 'failed'; errorClass: ErrorClass; message: string };

/** An API call a dry run prints, in permission-style naming (`ec2:ModifyInstanceAttribute`). */
export interface PlannedCall {
  operation: string;
  request: Record<string, unknown>;
}

/** Static facts about an action: pure, importable by the planner and the infra. */
export interface ActionSpec {
  name: ActionName;
  cloud: 'aws' | 'azure' | 'cordon';
  phase: Phase;
  /** Target types the action accepts. */
  targets: readonly (ResourceType | 'finding' | 'incident')[];
  summary: string;
  /** IAM actions (aws), Azure RBAC operations and `graph:<permission>` (azure). Least privilege derives from these. */
  permissions: readonly string[];
}
