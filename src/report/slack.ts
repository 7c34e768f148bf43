import type { Report } from './types.js';

/** Slack Block Kit message (JSON): verdict header, the top findings with fix and verify. */
export function renderSlack(report: Report, maxFindings = 5): string {
  const icon = report.verdict === 'failing' ? ':red_circle:' : report.verdict === 'at-risk' ? ':large_yellow_circle:' : report.verdict === 'healthy' ? ':large_green_circle:' : ':white_circle:';
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: `mtls-doctor: ${report.verdict.toUpperCase()}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${icon} evaluated at ${report.evaluatedAt} · ${report.findings.length} finding(s)` }] },
  ];
  for (const f of report.findings.slice(0, maxFindings)) {
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${f.rank}. ${f.title}* \`${f.rule}\` (${f.severity}, ${f.subject})\n${f.explanation}`.slice(0, 3000) },
    });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Fix:* ${f.remediation[0] ?? ''}\n*Verify:* \`${f.verify}\``.slice(0, 3000) } });
  }
  if (report.findings.length > maxFindings) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${report.findings.length - maxFindings} more (-o markdown for all)` }] });
  return JSON.stringify({ blocks }, null, 2) + '\n';
}
