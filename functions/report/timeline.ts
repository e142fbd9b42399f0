import { escapeHtml } from './escape.js';
import { formatDuration } from './format.js';
import type { ReportModel, ReportStepStatus } from './model.js';

export const STATUS_COLOR: Record<ReportStepStatus, string> = {
  succeeded: '#1a7f4b',
  failed: '#c62828',
  skipped: '#8a94a6',
  pending: '#b26a00',
};

const LABEL_W = 300;
const CHART_W = 620;
const ROW_H = 26;
const TOP = 30;

/** Rounds a span to a pleasant tick step (1, 2, 5 × 10^n ms). */
function tickStep(spanMs: number): number {
  const raw = spanMs / 6;
  const pow = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? pow * 10;
}

/**
 * A Gantt-style chart of every timed step, one row each, on a shared time axis from the start
 * of the run: inline SVG, no script, every label escaped.
 */
export function timelineSvg(model: ReportModel): string {
  const rows = model.incidents.flatMap((inc) =>
    inc.steps
      .filter((s) => s.startedAt)
      .map((s) => ({ label: `${inc.id.slice(4, 10)} · ${s.action} · ${s.target.id.split('/').pop() ?? s.target.id}`, title: `${inc.id} ${s.id}`, step: s })),
  );
  const start = Date.parse(model.run.startedAt);
  const ends = rows.map((r) => Date.parse(r.step.finishedAt ?? r.step.startedAt ?? model.run.finishedAt));
  const span = Math.max(Date.parse(model.run.finishedAt), ...ends) - start || 1;
  const x = (iso: string | undefined) => LABEL_W + (Math.max(0, Date.parse(iso ?? model.run.finishedAt) - start) / span) * CHART_W;
  const height = TOP + rows.length * ROW_H + 34;
  const width = LABEL_W + CHART_W + 20;

  const step = tickStep(span);
  const ticks: string[] = [];
  for (let t = 0; t <= span; t += step) {
    const tx = LABEL_W + (t / span) * CHART_W;
    ticks.push(
      `<line x1="${tx.toFixed(1)}" y1="${TOP - 6}" x2="${tx.toFixed(1)}" y2="${TOP + rows.length * ROW_H}" stroke="#e3e7ee"/>` +
        `<text x="${tx.toFixed(1)}" y="${TOP - 12}" text-anchor="middle" class="tick">+${escapeHtml(formatDuration(t))}</text>`,
    );
  }

  const bars = rows.map((r, i) => {
    const y = TOP + i * ROW_H;
    const x1 = x(r.step.startedAt);
    const w = Math.max(3, x(r.step.finishedAt) - x1);
    const took = r.step.finishedAt && r.step.startedAt ? formatDuration(Date.parse(r.step.finishedAt) - Date.parse(r.step.startedAt)) : 'unfinished';
    return (
      `<g><title>${escapeHtml(`${r.title}: ${r.step.status}, ${took}`)}</title>` +
      (i % 2 ? '' : `<rect x="0" y="${y}" width="${width}" height="${ROW_H}" fill="#f6f8fb"/>`) +
      `<text x="8" y="${y + ROW_H / 2 + 4}" class="label">${escapeHtml(r.label.length > 40 ? `${r.label.slice(0, 39)}…` : r.label)}</text>` +
      `<rect x="${x1.toFixed(1)}" y="${y + 6}" width="${w.toFixed(1)}" height="${ROW_H - 12}" rx="3" fill="${STATUS_COLOR[r.step.status]}"/>` +
      // The duration goes right of the bar, or left of it when the bar ends near the edge.
      (x1 + w + 70 < width
        ? `<text x="${(x1 + w + 6).toFixed(1)}" y="${y + ROW_H / 2 + 4}" class="dur">${escapeHtml(took)}</text></g>`
        : `<text x="${(x1 - 6).toFixed(1)}" y="${y + ROW_H / 2 + 4}" class="dur" text-anchor="end">${escapeHtml(took)}</text></g>`)
    );
  });

  const legend = (Object.keys(STATUS_COLOR) as ReportStepStatus[])
    .map((s, i) => `<rect x="${LABEL_W + i * 110}" y="${height - 20}" width="12" height="12" rx="2" fill="${STATUS_COLOR[s]}"/><text x="${LABEL_W + i * 110 + 18}" y="${height - 10}" class="tick" text-anchor="start">${s}</text>`)
    .join('');

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Timeline of steps">` +
    `<style>.label{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#1f2937}.tick{font:11px system-ui,sans-serif;fill:#6b7280}.dur{font:11px system-ui,sans-serif;fill:#374151}</style>` +
    ticks.join('') +
    bars.join('') +
    (rows.length ? '' : `<text x="${LABEL_W}" y="${TOP + 16}" class="tick">No step ran.</text>`) +
    legend +
    `</svg>`
  );
}
