import type { Severity } from '../model.js';

/**
 * GuardDuty's documented bands: Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0
 * (Critical exists for newer finding types such as attack sequences).
 */
export function guardDutySeverity(value: number): Severity {
  if (value >= 9) return 'critical';
  if (value >= 7) return 'high';
  if (value >= 4) return 'medium';
  return 'low';
}

/** ASFF Severity.Normalized bands as Security Hub documents them (0 / 1–39 / 40–69 / 70–89 / 90–100). */
export function normalizedSeverity(value: number): Severity {
  if (value >= 90) return 'critical';
  if (value >= 70) return 'high';
  if (value >= 40) return 'medium';
  if (value >= 1) return 'low';
  return 'informational';
}

// A Map, not an object literal: a label such as "constructor" must not find Object.prototype members.
const LABELS = new Map<string, Severity>([
  ['informational', 'informational'],
  ['information', 'informational'],
  ['info', 'informational'],
  ['low', 'low'],
  ['medium', 'medium'],
  ['high', 'high'],
  ['critical', 'critical'],
]);

/** ASFF labels (LOW), Defender (Low) and Graph (low) all name the same five levels. */
export function labelSeverity(label: string): Severity | undefined {
  return LABELS.get(label.trim().toLowerCase());
}
