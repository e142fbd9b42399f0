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
