import type { ReportModel } from './model.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';

export type { ReportModel } from './model.js';

/** The after-action report in both forms; pure (the caller writes the files). */
export function renderReport(model: ReportModel): { markdown: string; html: string } {
  return { markdown: renderMarkdown(model), html: renderHtml(model) };
}
