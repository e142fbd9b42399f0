import type { ErrorClass, EvidenceItem } from '../core/actions/types.js';
import type { AssessmentStatus, ClockRegime, Finding, Mode, PersonalData, Phase, SkippedStep, Target } from '../core/model.js';
import type { EvidenceAtRisk, Eviction, IncidentVerdict } from '../core/verdict.js';

/**
 * Everything an after-action report shows, gathered by the caller (tabletop, run) from the case
 * store, the evidence manifests and the audit log. Rendering is a pure function of this.
 */
export interface ReportModel {
  run: ReportRun;
  incidents: ReportIncident[];
  audit: { records: number; head: string; verified?: boolean };
  /** Contact point for the GDPR draft; a placeholder is printed when absent. */
  dpo?: { name: string; contact: string };
  generatedAt: string;
}

export interface ReportRun {
  mode: Mode;
  /** Tabletop time compression (`--speed`); 1 = real time. */
  speed?: number;
  startedAt: string;
  finishedAt: string;
  /** The estate file, or `derived from the findings`. */
  estate?: string;
  /** The finding files or channel replayed. */
  inputs?: string[];
  /** The `--faults` spec, when any. */
  faults?: string;
}

export type ReportStepStatus = 'succeeded' | 'skipped' | 'failed' | 'pending';

export interface ReportStep {
  id: string;
  action: string;
  target: Target;
  phase: Phase;
  status: ReportStepStatus;
  reason?: string;
  errorClass?: ErrorClass;
  /** Operations the cloud served for the step, permission-style (`ec2:CreateSnapshots`). */
  calls: string[];
  startedAt?: string;
  finishedAt?: string;
}

export interface ReportClock {
  regime: ClockRegime;
  awareAt: string;
  deadline: string;
  state: 'open' | 'closed';
  notificationReference?: string;
  /** How a person closed it, and why when not notifiable. */
  outcome?: 'notified' | 'not-notifiable';
  rationale?: string;
  closedBy?: string;
  closedAt?: string;
  /** When the deadline passed with nothing recorded (the clock watch, in the exercise's own time). */
  missedAt?: string;
  /** Reminders that fired, hours before the deadline. */
  remindersSent?: { offsetHours: number; sentAt: string }[];
  shadow?: boolean;
}

/** The incident's breach register entry (GDPR Art. 33(5)). */
export interface ReportAssessment {
  personalData: PersonalData;
  status: AssessmentStatus;
  basis: string;
  rationale?: string;
  decidedBy: string;
  decidedAt: string;
}

export interface ReportIncident {
  id: string;
  finding: Finding;
  playbook: string | null;
  /** The verdict (DESIGN §3): contained only when every foothold is closed. */
  status: IncidentVerdict;
  escalated: boolean;
  /** The footholds the simulated estate judged (absent outside it). */
  eviction?: Eviction;
  evidenceAtRisk?: EvidenceAtRisk[];
  steps: ReportStep[];
  skipped: SkippedStep[];
  evidence: EvidenceItem[];
  /** SHA-256 of the finding as received, from the evidence manifest. */
  findingSha256?: string;
  clocks: ReportClock[];
  assessment?: ReportAssessment;
  escalations: { at: string; reason: string }[];
  /** What is known about personal data on the affected resources (data classification tags …). */
  personalData?: { categories?: string[]; subjects?: string; approxSubjects?: number; approxRecords?: number };
}
