import { usageError } from '../errors.js';
import { redact } from '../redact.js';
import { renderText } from './text.js';
import type { Report } from './types.js';

export const OUTPUT_FORMATS = ['text', 'json', 'markdown', 'slack'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The renderers only some runs need, imported by loadRenderer: `diagnose` on files prints text or JSON. */
const lazy: { markdown?: (r: Report) => string; slack?: (r: Report) => string } = {};

/** Loads what renderReport needs for a format (markdown and Slack are imported on demand): await it first. */
export async function loadRenderer(format: string): Promise<void> {
  if (format === 'markdown') lazy.markdown ??= (await import('./markdown.js')).renderMarkdown;
  if (format === 'slack') lazy.slack ??= (await import('./slack.js')).renderSlack;
}

const loaded = (format: 'markdown' | 'slack'): ((r: Report) => string) => {
  const render = lazy[format];
  if (!render) throw new Error(`renderReport: the ${format} renderer is not loaded (await loadRenderer("${format}") first)`);
  return render;
};

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
      return loaded('markdown')(report);
    case 'slack':
      return loaded('slack')(report);
    default:
      throw usageError(`Cannot use output format "${format}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
}
