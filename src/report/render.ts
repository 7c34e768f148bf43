import { usageError } from '../errors.js';
import { redact } from '../redact.js';
import { renderMarkdown } from './markdown.js';
import { renderSlack } from './slack.js';
import { renderText } from './text.js';
import type { Report } from './types.js';

export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'slack'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Renders a report; the text that leaves goes through the one redactor (a pasted key never reaches the output). */
export function renderReport(report: Report, format: string, opts: { color: boolean; width?: number | null }): string {
  return redact(renderUnredacted(report, format, opts));
}

function renderUnredacted(report: Report, format: string, opts: { color: boolean; width?: number | null }): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'text':
      return renderText(report, opts);
    case 'markdown':
      return renderMarkdown(report);
    case 'slack':
      return renderSlack(report);
    default:
      throw usageError(`Cannot use output format "${format}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}
