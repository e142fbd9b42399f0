import type { ClockRegime } from '../core/model.js';

/** `2024-03-30 22:20:04 UTC`: reports are read by people in several time zones, so UTC throughout. */
export function formatUtc(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `1.234 s`, `2 min 5 s`, `3 h 20 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '−' : '';
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 3 : 1)} s`;
  const min = Math.floor(abs / 60_000);
  if (min < 60) return `${sign}${min} min ${Math.floor((abs % 60_000) / 1000)} s`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${sign}${h} h ${min % 60} min`;
  return `${sign}${Math.floor(h / 24)} d ${h % 24} h`;
}

export const REGIME_LABEL: Record<ClockRegime, string> = {
  'gdpr-art33': 'GDPR Art. 33 notification',
  'gdpr-art33-processor': 'GDPR Art. 33(2) notice to the controller',
  'gdpr-art34': 'GDPR Art. 34 communication to data subjects',
  'nis2-early-warning': 'NIS2 Art. 23 early warning',
  'nis2-notification': 'NIS2 Art. 23 incident notification',
  'nis2-final': 'NIS2 Art. 23 final report',
};
