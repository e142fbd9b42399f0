import * as z from 'zod';
import { issueLine } from '../zod-issue.js';

/**
 * How preserved evidence is protected: the EBS snapshot lock (mode and duration) and, where
 * configured, a re-encrypted copy for a forensic account. The planner puts these on each
 * preservation step's params (from the operator settings), so the step carries them to whichever
 * host runs it; the action reads them back here.
 *
 * Compliance mode cannot be undone once its cooling-off period is over — not by Cordon, not by an
 * administrator, not by AWS support — so a storm of false positives costs snapshot storage for the
 * whole duration. That is why governance is the default, and why preservation counts against the
 * blast-radius caps like any other action.
 */
export const SNAPSHOT_LOCK_MODES = ['governance', 'compliance'] as const;
export type SnapshotLockMode = (typeof SNAPSHOT_LOCK_MODES)[number];

export interface SnapshotLockSettings {
  mode: SnapshotLockMode;
  /** Lock duration in days (EBS: 1–36,500). */
  days: number;
  /** Compliance mode only: hours (1–72) during which the lock can still be undone. */
  coolOffHours?: number;
}

export interface ForensicCopySettings {
  /** The forensic account the re-encrypted copy is shared with. */
  account: string;
  /** ARN of the customer managed KMS key the copy is encrypted under (the forensic account can use it). */
  kmsKeyId: string;
}

export interface PreservationSettings {
  lock: SnapshotLockSettings;
  forensic?: ForensicCopySettings;
}

export const DEFAULT_PRESERVATION: PreservationSettings = { lock: { mode: 'governance', days: 30 } };

export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/;

const Params = z.object({
  lockMode: z.enum(SNAPSHOT_LOCK_MODES).default(DEFAULT_PRESERVATION.lock.mode),
  lockDays: z.coerce.number().int().min(1).max(36_500).default(DEFAULT_PRESERVATION.lock.days),
  lockCoolOffHours: z.coerce.number().int().min(1).max(72).optional(),
  forensicAccount: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id').optional(),
  forensicKmsKeyId: z.string().regex(KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)').optional(),
});

/** The step params that carry the settings (only what differs from nothing: defaults included, so a step says what it did). */
export function preservationParams(p: PreservationSettings): Record<string, string | number> {
  return {
    lockMode: p.lock.mode,
    lockDays: p.lock.days,
    ...(p.lock.coolOffHours !== undefined ? { lockCoolOffHours: p.lock.coolOffHours } : {}),
    ...(p.forensic ? { forensicAccount: p.forensic.account, forensicKmsKeyId: p.forensic.kmsKeyId } : {}),
  };
}

/** Reads the settings back from a step's params; a bad value is named (the step fails, it never guesses). */
export function preservationFromParams(params: Readonly<Record<string, string | number | boolean>>): { ok: true; value: PreservationSettings } | { ok: false; problem: string } {
  const parsed = Params.safeParse(params);
  if (!parsed.success) return { ok: false, problem: issueLine(parsed.error, 'params') };
  const p = parsed.data;
  if (p.lockCoolOffHours !== undefined && p.lockMode !== 'compliance') return { ok: false, problem: 'lockCoolOffHours: a cooling-off period exists only in compliance mode' };
  if ((p.forensicAccount === undefined) !== (p.forensicKmsKeyId === undefined)) return { ok: false, problem: 'forensicAccount and forensicKmsKeyId go together' };
  return {
    ok: true,
    value: {
      lock: { mode: p.lockMode, days: p.lockDays, ...(p.lockCoolOffHours !== undefined ? { coolOffHours: p.lockCoolOffHours } : {}) },
      ...(p.forensicAccount && p.forensicKmsKeyId ? { forensic: { account: p.forensicAccount, kmsKeyId: p.forensicKmsKeyId } } : {}),
    },
  };
}

/**
 * The operator's preservation settings as environment variables: one definition for the CLI
 * (config/settings.ts) and the Lambdas (handlers/aws/env.ts), which extend their schemas with it.
 */
export const PreservationEnvShape = {
  /**
   * EBS snapshot lock on preserved snapshots: governance (default; a permitted user can lift it) or
   * compliance (after its cooling-off period nobody can, until it expires: storage is paid for the
   * whole duration, false positives included).
   */
  CORDON_SNAPSHOT_LOCK_MODE: z.enum(SNAPSHOT_LOCK_MODES).optional(),
  CORDON_SNAPSHOT_LOCK_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  /** Compliance mode only: hours (1–72) in which a compliance lock can still be undone. */
  CORDON_SNAPSHOT_LOCK_COOL_OFF_HOURS: z.coerce.number().int().min(1).max(72).optional(),
  /** The forensic account the re-encrypted snapshot copies are shared with (with CORDON_FORENSIC_KMS_KEY). */
  CORDON_FORENSIC_ACCOUNT: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id').optional(),
  /** ARN of the customer managed KMS key the forensic copies are encrypted under. */
  CORDON_FORENSIC_KMS_KEY: z.string().regex(KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)').optional(),
};
/** The settings from validated variables; a combination that cannot work is reported through `fail` (variable, problem). */
export function preservationFromEnv(s: { [K in keyof typeof PreservationEnvShape]?: z.infer<(typeof PreservationEnvShape)[K]> }, fail: (variable: string, problem: string) => Error): PreservationSettings {
  const mode = s.CORDON_SNAPSHOT_LOCK_MODE ?? DEFAULT_PRESERVATION.lock.mode;
  if (s.CORDON_SNAPSHOT_LOCK_COOL_OFF_HOURS !== undefined && mode !== 'compliance') {
    throw fail('CORDON_SNAPSHOT_LOCK_COOL_OFF_HOURS', 'a cooling-off period exists only with CORDON_SNAPSHOT_LOCK_MODE=compliance');
  }
  if ((s.CORDON_FORENSIC_ACCOUNT === undefined) !== (s.CORDON_FORENSIC_KMS_KEY === undefined)) {
    throw fail(s.CORDON_FORENSIC_ACCOUNT === undefined ? 'CORDON_FORENSIC_ACCOUNT' : 'CORDON_FORENSIC_KMS_KEY', 'the forensic copy needs both CORDON_FORENSIC_ACCOUNT and CORDON_FORENSIC_KMS_KEY');
  }
  return {
    lock: {
      mode,
      days: s.CORDON_SNAPSHOT_LOCK_DAYS ?? DEFAULT_PRESERVATION.lock.days,
      ...(s.CORDON_SNAPSHOT_LOCK_COOL_OFF_HOURS !== undefined ? { coolOffHours: s.CORDON_SNAPSHOT_LOCK_COOL_OFF_HOURS } : {}),
    },
    ...(s.CORDON_FORENSIC_ACCOUNT && s.CORDON_FORENSIC_KMS_KEY ? { forensic: { account: s.CORDON_FORENSIC_ACCOUNT, kmsKeyId: s.CORDON_FORENSIC_KMS_KEY } } : {}),
  };
}
